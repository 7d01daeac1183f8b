import BBXPlan

extension FuzzChecks {
    /// Pattern × name (split at the first NUL) in both modes: no crash, no hang; and a name
    /// escaped as a pattern matches itself, and not a longer name.
    public static func glob(_ bytes: [UInt8]) -> String? {
        let (first, rest) = split(bytes)
        let pattern = String(decoding: first, as: UTF8.self)
        let name = String(decoding: rest, as: UTF8.self)
        for mode in [Glob.Mode.artifactName, .localPath] {
            _ = Glob(pattern, mode: mode).matches(name)
            let exact = Glob(Glob.escaping(name), mode: mode)
            if !exact.matches(name) { return "an escaped name does not match itself" }
            if exact.matches(name + "x") { return "an escaped name matches a longer one" }
        }
        return nil
    }
}
