import BBXApply
import BBXPlan
import BBXSyntax
import Foundation
import SafeFiles

/// `--junit FILE`: the run as JUnit XML, which Bitbucket Pipelines shows in a step's Tests tab
/// when the file is under `test-results/`. One test case per step (a failed step is a failure
/// with its message, a step never run is skipped); a run that stopped before applying (a script
/// error, a refused credential) is one failed case, `plan`. Everything else goes on to the
/// reporter it wraps, which speaks on standard output as before.
final class JUnitReporter: Reporter {
    let inner: any Reporter
    let path: String
    let suite: String
    private var plan: Plan?
    private var report: Report?
    private var seconds: Double = 0
    private var failure: String?

    init(wrapping inner: any Reporter, path: String, suite: String) {
        self.inner = inner
        self.path = path
        self.suite = suite
    }

    var isQuiet: Bool { inner.isQuiet }
    func collector(deferring: Bool) -> OutputCollector { inner.collector(deferring: deferring) }
    func sandboxStarted(_ api: String) { inner.sandboxStarted(api) }
    func planned(_ output: OutputCollector) { inner.planned(output) }
    func show(_ plan: Plan) {
        self.plan = plan
        inner.show(plan)
    }
    func savedPlan(to path: String) { inner.savedPlan(to: path) }
    func note(_ line: String) { inner.note(line) }
    func observer(for plan: Plan) -> (any ApplyObserver)? { inner.observer(for: plan) }
    func applied(_ report: Report, of plan: Plan, seconds: Double) {
        self.report = report
        self.plan = plan
        self.seconds = seconds
        inner.applied(report, of: plan, seconds: seconds)
    }
    func failed(_ message: String, exitCode: Int32, at range: SourceRange?, in source: SourceFile?) {
        let place = range.flatMap { range in source.map { "\($0.name):\($0.location(of: range.start).line): " } } ?? ""
        failure = place + message
        inner.failed(message, exitCode: exitCode, at: range, in: source)
    }
    func failed(_ diagnostics: [Diagnostic], exitCode: Int32, in source: SourceFile) {
        failure = diagnostics.filter(\.isError).map {
            "\(source.name):\(source.location(of: $0.range.start).line): \($0.message)"
        }.joined(separator: "\n")
        inner.failed(diagnostics, exitCode: exitCode, in: source)
    }

    func finish() {
        inner.finish()
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            try ExclusiveFile.replaceContents(of: path, with: Array(xml.utf8))
        } catch {
            Console.fail("--junit \(path): \(error)")
        }
    }

    /// The document: one suite, its cases, and the counts Pipelines shows.
    var xml: String {
        var cases: [String] = []
        var failures = 0
        var skipped = 0
        if let failure, report == nil {
            failures += 1
            cases.append(
                "    <testcase classname=\"bbx\" name=\"plan\" time=\"0\">\n"
                    + "      <failure message=\"\(Self.escape(failure.split(separator: "\n").first.map(String.init) ?? ""))\">\(Self.escape(failure))</failure>\n"
                    + "    </testcase>")
        } else if let report {
            for entry in report.entries {
                let step = entry.step
                let name = Self.escape("\(Self.title(of: step)) (\(step.source))")
                let classname = Self.escape(step.repository?.description ?? "connect")
                switch entry.outcome {
                case .done:
                    cases.append("    <testcase classname=\"\(classname)\" name=\"\(name)\" time=\"0\"/>")
                case .failed(let message):
                    failures += 1
                    cases.append(
                        "    <testcase classname=\"\(classname)\" name=\"\(name)\" time=\"0\">\n"
                            + "      <failure message=\"\(Self.escape(message))\">\(Self.escape(message))</failure>\n"
                            + "    </testcase>")
                case .skipped, .interrupted, .notStarted:
                    skipped += 1
                    let why = entry.note ?? step.reason ?? entry.outcome.label
                    cases.append(
                        "    <testcase classname=\"\(classname)\" name=\"\(name)\" time=\"0\">\n"
                            + "      <skipped message=\"\(Self.escape(why))\"/>\n" + "    </testcase>")
                }
            }
            if let failure, !report.entries.contains(where: { if case .failed = $0.outcome { true } else { false } }) {
                failures += 1
                cases.append(
                    "    <testcase classname=\"bbx\" name=\"apply\" time=\"0\">\n"
                        + "      <failure message=\"\(Self.escape(failure))\">\(Self.escape(failure))</failure>\n"
                        + "    </testcase>")
            }
        } else {
            // Planned, not applied (`bbx plan`, `--dry-run`, nothing to do): the plan passed, its
            // steps are listed as not run.
            cases.append("    <testcase classname=\"bbx\" name=\"plan\" time=\"0\"/>")
            for step in plan?.steps ?? [] {
                skipped += 1
                let name = Self.escape("\(Self.title(of: step)) (\(step.source))")
                cases.append(
                    "    <testcase classname=\"\(Self.escape(step.repository?.description ?? "connect"))\" name=\"\(name)\" time=\"0\">\n"
                        + "      <skipped message=\"planned; not applied\"/>\n" + "    </testcase>")
            }
        }
        let time = String(format: "%.3f", seconds)
        let counts =
            "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(time)\""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="bbx" \(counts)>
              <testsuite name="\(Self.escape(suite))" \(counts)>
            \(cases.joined(separator: "\n"))
              </testsuite>
            </testsuites>

            """
    }

    /// `+ upload build/a.zip → a.zip`: the step as the plan shows it.
    static func title(of step: Step) -> String {
        let row = PlanText.Row(step)
        return "\(row.mark) \(row.verb) \(row.what)"
    }

    /// Text for an attribute or element: XML's five entities, and the characters XML 1.0 cannot
    /// hold at all (most controls) as `\xNN`, so a hostile artifact name cannot break the file.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            case _
            where scalar.value < 0x20 || (0xD800...0xDFFF).contains(scalar.value) || scalar.value == 0xFFFE
                || scalar.value == 0xFFFF:
                out += String(format: "\\x%02X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
