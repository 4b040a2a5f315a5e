import ArgumentParser
import Foundation
import Ingest

extension IRSL {
    /// `irsl export`: response matrices and fit parameters for other IRT tools (docs/ingest.md).
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a response file (or a fit's item parameters) as wide CSV, long CSV or py-irt JSONL.",
            discussion: "wide-csv: model,<item ids> (empty = missing); long-csv: model,item,benchmark,response[,trials]; "
                + "py-irt-jsonl: {\"subject_id\": model, \"responses\": {item: value}} per line. A fit file exports its item "
                + "parameters in mirt's slope-intercept columns item,benchmark,a1..aK,d,g,u. See docs/ingest.md.")

        @Argument(help: "Response file or fit output (HDF5).") var file: String
        @Option(help: "wide-csv, long-csv or py-irt-jsonl.") var format: String
        @Option(name: .shortAndLong, help: "File to write (replaced atomically).") var output: String

        func validate() throws {
            guard ResponseExport.Format(rawValue: format) != nil else {
                throw ValidationError("--format: expected one of \(ResponseExport.Format.allCases.map(\.rawValue).joined(separator: ", ")), got '\(format)'")
            }
        }

        func run() throws {
            let text = try ResponseExport.export(file, format: ResponseExport.Format(rawValue: format)!, output: output)
            print("wrote \(output) (\(format)): \(text)")
        }
    }
}
