import BitbucketAPI
import Foundation
import SafeText

extension FuzzChecks {
    /// A listing page as any server might send it: decoding fails or succeeds, never crashes,
    /// and whatever names it yields are free of control characters once escaped.
    public static func listing(_ bytes: [UInt8]) -> String? {
        guard let page = try? ListingPage.decode(Data(bytes)) else { return nil }
        for artifact in page.artifacts {
            if artifact.name.terminalSafe.unicodeScalars.contains(where: TerminalEscape.isUnsafe) {
                return "an escaped name still holds a control character"
            }
            _ = FileNameRule.problem(with: artifact.name)
            _ = artifact.stamp
        }
        return nil
    }
}
