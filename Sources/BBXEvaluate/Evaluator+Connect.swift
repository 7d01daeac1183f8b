import BBXPlan
import BBXSyntax
import BitbucketModel
import Foundation

extension Evaluator {
    /// Connect statements need the app's credentials, to read as much as to change.
    func requireConnectCredentials(_ statement: Statement) throws {
        guard options.hasConnectCredentials else {
            throw PlanningError.connectCredentials(problem: options.connectCredentialsProblem, at: statement.range)
        }
    }

    /// `addon update [descriptor FILE | url URL]`: a step.
    mutating func planAddonUpdate(_ update: AddonUpdateStatement, _ statement: Statement) async throws {
        try requireConnectCredentials(statement)
        switch update.source {
        case .registered: planConnectCall(.updateRegistered, statement)
        case .descriptor(let fileExpression):
            let file = try await string(fileExpression) ?? ""
            let bytes: [UInt8]
            do {
                bytes = try files.contents(of: file)
            } catch {
                throw PlanningError.localFile(error, at: fileExpression.range)
            }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(bytes))
            } catch {
                throw PlanningError.invalidDescriptor(
                    file, problem: Self.jsonProblem(error, in: bytes), at: fileExpression.range)
            }
            guard object is [String: Any] else {
                throw PlanningError.descriptorNotAnObject(file, at: fileExpression.range)
            }
            planConnectCall(.updateDescriptor(file: file, json: String(decoding: bytes, as: UTF8.self)), statement)
        case .url(let urlExpression):
            let url = try await string(urlExpression) ?? ""
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw PlanningError.invalidURL(url, at: urlExpression.range)
            }
            planConnectCall(.updateURL(url), statement)
        }
    }

    /// `addon delete`: a step.
    mutating func planAddonDelete(_ statement: Statement) throws {
        try requireConnectCredentials(statement)
        planConnectCall(.deleteApp, statement)
    }

    /// `linkers`: a read, printed now.
    mutating func planLinkers(_ statement: Statement) async throws {
        try requireConnectCredentials(statement)
        noteLinkerDeprecation()
        try await read(.linkers, statement)
    }

    /// `linker KEY [ACTION]`: reads run now and print; changes become steps.
    mutating func planLinker(_ linker: LinkerStatement, _ statement: Statement) async throws {
        try requireConnectCredentials(statement)
        noteLinkerDeprecation()
        let key = try await string(linker.key) ?? ""
        let call: ConnectCall
        switch linker.action {
        case .show:
            try await read(.linker(key), statement)
            return
        case .values:
            try await read(.values(linker: key), statement)
            return
        case .value(let id):
            try await read(.value(linker: key, id: try await integer(id)), statement)
            return
        case .add(let valueExpression):
            let value = try await string(valueExpression) ?? ""
            call = .addValue(linker: key, value: value)
            // "No change if present": known now, so the plan says skip instead of a 409.
            if try await linkerValues(key, statement).contains(where: { $0.value == value }) {
                skipConnect(call, because: "\(value) is already a value of linker \(key)", statement)
                return
            }
        case .set(let list):
            let value = try await evaluate(list)
            guard case .list(let items) = value else {
                throw PlanningError.wrongKind(expected: "a list of strings", found: value, at: list.range)
            }
            call = .setValues(linker: key, values: items.map(\.description))
        case .remove(let idExpression):
            let id = try await integer(idExpression)
            call = .removeValue(linker: key, id: id)
            if try await !linkerValues(key, statement).contains(where: { $0.id == id }) {
                skipConnect(call, because: "linker \(key) has no value \(id)", statement)
                return
            }
        case .clear: call = .clearValues(linker: key)
        }
        planConnectCall(call, statement)
    }

    mutating func planConnectCall(_ call: ConnectCall, _ statement: Statement) {
        steps.append(
            Step(.connect(call), reason: call.summary, source: position(statement.range)))
    }

    /// Foundation's JSON error, with its place as a line and column of the file (it gives a
    /// byte offset, "around character 28").
    static func jsonProblem(_ error: any Error, in bytes: [UInt8]) -> String {
        let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        guard let match = detail.range(of: #" around character (\d+)\.?"#, options: .regularExpression),
            let offset = Int(detail[match].filter(\.isNumber))
        else { return detail.hasSuffix(".") ? String(detail.dropLast()) : detail }
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return "\(detail[..<match.lowerBound].lowercased()) at line \(line), column \(column)"
    }

    mutating func read(_ request: ConnectRead, _ statement: Statement) async throws {
        do {
            // The app is read as it is now, not as the plan leaves it: the lines stand before
            // every change, wherever the statement is, so nothing shows them as the result.
            output(.connect(try await reader.connectRead(request)), 0)
        } catch {
            throw PlanningError(error, at: statement.range)
        }
    }

    /// A linker's values as they are now, with what this plan already does to them: a value
    /// added by an earlier statement is present for a later one.
    mutating func linkerValues(_ key: String, _ statement: Statement) async throws -> [LinkerValue] {
        var values: [LinkerValue]
        do {
            guard case .values(_, let read) = try await reader.connectRead(.values(linker: key)) else { return [] }
            values = read
        } catch {
            throw PlanningError(error, at: statement.range)
        }
        for case .connect(let call) in steps.map(\.action) {
            // Every call named, so that a new one must say what it does to a linker's values.
            switch call {
            case .addValue(let linker, let value):
                if linker == key, !values.contains(where: { $0.value == value }) {
                    values.append(LinkerValue(id: -1, value: value))
                }
            case .setValues(let linker, let list):
                if linker == key { values = list.map { LinkerValue(id: -1, value: $0) } }
            case .removeValue(let linker, let id): if linker == key { values.removeAll { $0.id == id } }
            case .clearValues(let linker): if linker == key { values = [] }
            case .updateRegistered, .updateDescriptor, .updateURL, .deleteApp: break
            }
        }
        return values
    }

    mutating func skipConnect(_ call: ConnectCall, because reason: String, _ statement: Statement) {
        steps.append(
            Step(
                .skip(.connect(request: call.request)), reason: "\(reason), skipped",
                source: position(statement.range)))
    }

    /// Atlassian's timeline, said once per run: linkers are deprecated and Connect is ending.
    mutating func noteLinkerDeprecation() {
        guard !saidLinkerDeprecation else { return }
        saidLinkerDeprecation = true
        notes.append(
            "Atlassian deprecated the /2.0/addon/linkers endpoints (to be removed by May 2026), stopped new Connect installs on Bitbucket on 2 February 2026 and ends Connect support in December 2026: export the linkers' values (bbx run --json) and plan the app's exit"
        )
    }
}
