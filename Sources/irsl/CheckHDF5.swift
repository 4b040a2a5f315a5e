import ArgumentParser
import Foundation
import Store

extension IRSL {
    /// `irsl __check-hdf5 FILE`: the child half of Store's guarded HDF5 open
    /// (`HDF5Guard`). Not for users (hidden from --help): irsl starts it
    /// itself, so that a crash or hang of libhdf5 on a corrupted file happens
    /// in this short-lived process and the parent reports it as an error.
    struct CheckHDF5: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: HDF5Guard.subcommand,
            abstract: "Internal: read a file's whole HDF5 structure (exit 0 sound, 2 damaged, 3 not HDF5).",
            shouldDisplay: false)

        @Argument var file: String
        @Flag(help: "Read every dataset's data too.") var data = false
        @Flag(help: "Print the whole report on standard output.") var report = false

        func run() throws {
            let code = HDF5Guard.childMain(path: file, readData: data, report: report)
            fflush(stdout)
            terminate(code)
        }
    }
}
