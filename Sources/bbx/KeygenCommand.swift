import ArgumentParser
import Foundation
import Minisign
import SafeFiles

/// `bbx keygen`: a minisign key pair for signed manifests, in minisign's own format, so the
/// real tool verifies and signs with it too.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a minisign key pair for signed checksum manifests.",
        discussion: """
            Writes PREFIX.key (the secret key, encrypted with a password, readable only by you) and PREFIX.pub (the public key, for 'trust key "PREFIX.pub"' or 'minisign -Vm SHA256SUMS -p PREFIX.pub'). The password is read from BBX_SIGNING_KEY_PASSWORD, else asked for twice on the terminal; encryption uses minisign's scrypt cost (about 1 GiB of memory, a few seconds). Existing files are never replaced. In a release job, give the key as BBX_SIGNING_KEY (its contents) or BBX_SIGNING_KEY_FILE, with BBX_SIGNING_KEY_PASSWORD.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write: PREFIX.key and PREFIX.pub.", valueName: "PREFIX"))
    var output = "minisign"

    @Flag(help: "Leave the secret key unencrypted (as 'minisign -G -W'); keep it in a secrets store.")
    var noPassword = false

    func run() throws {
        let secretPath = output + ".key"
        let publicPath = output + ".pub"
        for path in [secretPath, publicPath] where FileManager.default.fileExists(atPath: path) {
            Console.fail("\(path) exists; keygen never replaces a key (give another -o PREFIX)")
            throw ExitStatus.usage
        }
        let password = try noPassword ? nil : readPassword()
        let key: Minisign.SecretKey
        let secretText: String
        do {
            key = try Minisign.SecretKey.generate()
            secretText = try key.fileText(password: password)
        } catch {
            Console.fail("cannot make the key: \(error)")
            throw ExitStatus.applyFailed
        }
        do {
            try write(secretText, to: secretPath, mode: 0o600)
            try write(key.publicKey.fileText, to: publicPath, mode: 0o644)
        } catch {
            unlink(secretPath)
            Console.fail("\(error)")
            throw ExitStatus.usage
        }
        Console.out(
            "wrote \(secretPath) (secret\(password == nil ? ", not encrypted" : ""); keep it out of the repository) and \(publicPath)\n"
                + "public key: \(key.publicKey.base64)\n"
                + "trust it in a script:    trust \"\(key.publicKey.base64)\"\n"
                + "verify with minisign:    minisign -Vm SHA256SUMS -P \(key.publicKey.base64)\n")
    }

    /// A new file only (created exclusively, never through a link), written whole.
    func write(_ text: String, to path: String, mode: mode_t) throws {
        let descriptor: CInt
        do {
            descriptor = try ExclusiveFile.create(
                in: (path as NSString).deletingLastPathComponent, mode: mode
            ) { (path as NSString).lastPathComponent }.descriptor
        } catch {
            throw ValidationError("cannot write \(path): \(error)")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            unlink(path)
            throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// BBX_SIGNING_KEY_PASSWORD, else twice from the terminal without echo.
    func readPassword() throws -> String {
        if let password = ProcessInfo.processInfo.environment["BBX_SIGNING_KEY_PASSWORD"], !password.isEmpty {
            return password
        }
        guard isatty(STDIN_FILENO) == 1 else {
            Console.fail(
                "no password: set BBX_SIGNING_KEY_PASSWORD, run keygen in a terminal, or give --no-password")
            throw ExitStatus.usage
        }
        let first = Self.prompt("Password for the new key: ")
        let second = Self.prompt("Password again: ")
        guard let first, !first.isEmpty, first == second else {
            Console.fail("the passwords are empty or differ; no key was written")
            throw ExitStatus.usage
        }
        return first
    }

    /// A line from the terminal with echo off.
    static func prompt(_ text: String) -> String? {
        var old = termios()
        tcgetattr(STDIN_FILENO, &old)
        var quiet = old
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old)
            Console.error("\n")
        }
        Console.error(text)
        return readLine(strippingNewline: true)
    }
}
