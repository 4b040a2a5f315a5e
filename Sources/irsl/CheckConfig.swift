import ArgumentParser
import Config
import Foundation
import Store

extension IRSL {
    /// `irsl __check-config FILE`: the child half of `irsl fit --config`'s
    /// guarded read (`FitConfig.checkInChild`). Not for users (hidden):
    /// toml++ (inside TOMLKit) aborts the process on some malformed TOML
    /// (its own assertions), so the file is parsed here first; a crash here
    /// becomes an error naming the file in the parent.
    struct CheckConfig: ParsableCommand {
        static let subcommand = "__check-config"
        static let configuration = CommandConfiguration(
            commandName: subcommand,
            abstract: "Internal: parse a config file's [fit] table (exit 0 usable, 1 with the error on stderr).",
            shouldDisplay: false)

        @Argument var file: String

        func run() throws {
            do {
                _ = try ConfigTable(text: try FitConfig.text(of: file), path: file, table: "fit", keys: FitConfig.keys)
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                terminate(1)
            }
            terminate(0)
        }
    }
}
