/// How large a value a script may build. A few lines of `let v2 = "${v1}${v1}"` double a string
/// each time: 36 of them asked for 64 GiB and ended the run with SIGABRT. Text past this many
/// bytes (UTF-8) stops planning at the expression that builds it; the checker says so before
/// the run when the sizes can be seen in the script.
public enum ValueBudget {
    public static let maximumBytes = 16 << 20

    /// "16 MiB", for messages.
    public static var described: String { "\(maximumBytes >> 20) MiB" }
}
