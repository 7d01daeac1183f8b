import BBXTestSupport
import Foundation
import Testing

/// Files named on the command line (scripts, saved plans, `--token-file`) are read as a shell
/// user expects: a pipe works (`bbx run <(envsubst < release.tmpl)`, `--token-file <(vault
/// read …)`), and a file that never ends is refused, not read into memory.
@Suite("Files named on the command line")
struct NamedFilesTests {
    /// Scripts from a pipe were "cannot read '/dev/fd/63': permission denied".
    @Test func aScriptFromAPipe() async throws {
        let checked = try await BBXProcess.launch(["check", "/dev/stdin"], stdin: "print 1\n")
        #expect(checked.status == 0, "\(checked.stderr)")
        let run = try await BBXProcess.launch(["run", "--sandbox", "/dev/stdin"], stdin: "print \"from a pipe\"\n")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("from a pipe\n"), "\(run.stdout)")
    }

    @Test(arguments: [
        (["check", "/dev/zero"], "cannot read '/dev/zero': it is larger than 16 MiB"),
        (["apply", "/dev/zero"], "cannot read '/dev/zero': it is larger than 256 MiB"),
        (["check", "/"], "cannot read '/': it is a directory"),
        (
            ["run", "--url", "http://127.0.0.1:1", "--token-file", "/dev/zero", "-e", "print 1"],
            "--token-file: cannot read '/dev/zero': it is larger than 64 KiB"
        ),
    ])
    func endlessFilesAreRefused(_ arguments: [String], _ message: String) async throws {
        let result = try await BBXProcess.launch(arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func aTokenFileOfTwoLinesIsRefused() async throws {
        let result = try await BBXProcess.launch(
            ["plan", "--url", "http://127.0.0.1:1", "--token-file", "/dev/stdin", "-e", "print 1"],
            stdin: "tok-hunter2\nsecond line\n")
        #expect(result.status == 64, "\(result.stderr)")
        #expect(
            result.stderr.contains("--token-file: '/dev/stdin' holds more than one line; give the token alone"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
    }

    /// The token file was read twice (for the secrets to hide, then for the credential): from
    /// a pipe, the second read found nothing.
    @Test func aTokenFileFromAPipeIsUsedAndHidden() async throws {
        try await EndToEnd.with { world in
            try await world.serve.seed("acme/app", "app.zip", size: 10)
            let result = try await BBXProcess.launch(
                ["run", "--token-file", "/dev/stdin", "-e", "list in acme/app\nprint env(\"SHOWN\")"],
                environment: ["BITBUCKET_URL": world.serve.api, "SHOWN": EndToEnd.token],
                in: world.folder, stdin: EndToEnd.token + "\n")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("app.zip"), "\(result.stdout)")
            #expect(!(result.stdout + result.stderr).contains(EndToEnd.token), "\(result.stdout)")
        }
    }

    /// `-o` and `bbx fmt` replace a file by renaming a new one over it: where a link or a pipe
    /// stood, that replaced the link (a shared script linked into place) or, as root, a device
    /// (`-o /dev/stdout`). Refused now, and what was there stays.
    @Test func onlyRegularFilesAreReplaced() async throws {
        try await EndToEnd.with { world in
            try world.write("shared/release.bbx", "print   1\n")
            let folder = world.folder.path
            try FileManager.default.createSymbolicLink(
                atPath: folder + "/release.bbx", withDestinationPath: "shared/release.bbx")
            #expect(mkfifo(folder + "/plan.pipe", 0o600) == 0)
            let format = try await world.bbx(["fmt", "release.bbx"])
            #expect(format.status == 64, "\(format.stderr)")
            #expect(
                format.stderr
                    == "bbx: error: could not write 'release.bbx': it is a symbolic link; bbx replaces only regular files, and neither writes through a link nor replaces one: name the file it points to\n"
            )
            let saved = try await world.bbx(["plan", "-e", "list in acme/app", "-o", "plan.pipe"])
            #expect(saved.status == 64, "\(saved.stderr)")
            #expect(
                saved.stderr.contains(
                    "bbx: error: cannot write the plan to 'plan.pipe': it is a named pipe; bbx replaces only regular files"
                ),
                "\(saved.stderr)")
            #expect(
                try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/release.bbx")
                    == "shared/release.bbx")
            #expect(world.contents("shared/release.bbx") == Data("print   1\n".utf8))
            var info = stat()
            #expect(lstat(folder + "/plan.pipe", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
            // The file the link points to is formatted when named.
            #expect(try await world.bbx(["fmt", "shared/release.bbx"]).status == 0)
            #expect(world.contents("shared/release.bbx") == Data("print 1\n".utf8))
        }
    }
}
