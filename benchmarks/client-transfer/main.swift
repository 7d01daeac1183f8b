// Drives BitbucketClient for benchmarks/client-transfer.sh: one upload or one download, timed
// by the script (wall time, peak memory) exactly as it times curl.
//
//   bbx-bench-transfer upload FILE NAME
//   bbx-bench-transfer download NAME DESTINATION
//
// Reads BITBUCKET_URL, BITBUCKET_TOKEN and BBX_BENCH_REPO (workspace/slug).
import BitbucketAPI
import BitbucketModel
import Foundation

let arguments = CommandLine.arguments.dropFirst().map { $0 }
let environment = ProcessInfo.processInfo.environment
guard arguments.count == 3, let repository = RepositoryName(parsing: environment["BBX_BENCH_REPO"] ?? "") else {
    FileHandle.standardError.write(
        Data("usage: bbx-bench-transfer upload FILE NAME | download NAME DESTINATION\n".utf8))
    exit(64)
}

do {
    let client = try BitbucketClient(configuration: ClientConfiguration(environment: environment))
    do {
        switch arguments[0] {
        case "upload":
            _ = try await client.upload([UploadFile(path: arguments[1], name: arguments[2])], to: repository)
        case "download":
            _ = try await client.download(arguments[1], from: repository, to: arguments[2])
        default:
            FileHandle.standardError.write(Data("unknown command \(arguments[0])\n".utf8))
            exit(64)
        }
        try await client.shutdown()
    } catch {
        try? await client.shutdown()
        throw error
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
