import ArgumentParser
import Store

/// `irsl`: calibrate Item Response Scaling Laws on evaluation matrices.
@main
struct IRSL: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "irsl",
        abstract: "Calibrate item response scaling laws: a distributed joint-MLE IRT fit of models × questions evaluation matrices.",
        discussion: """
        Typical use:
          irsl simulate --models 2000 --items 5000 --output demo.h5
          mpirun -n 2 irsl fit demo.h5 --output demo-fit.h5
          irsl info demo-fit.h5
        File formats are documented in docs/format.md.
        """,
        version: version,
        subcommands: subcommandList)

    /// Before any subcommand runs: this executable is the child that checks
    /// HDF5 files for Store's guarded open (`irsl __check-hdf5`, HDF5Guard),
    /// whatever the binary is called.
    static func main() {
        HDF5Guard.useThisExecutable()
        main(nil)
    }
}
