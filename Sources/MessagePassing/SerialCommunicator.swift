import Foundation

/// A one-rank communicator: every collective is the identity. Used by tests
/// and by `irsl fit` when it is not started under mpirun.
public final class SerialCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func allreduceMax(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ values: UnsafeMutableBufferPointer<Double>, root: Int) {}
    public func barrier() {}
    public func abort(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("irsl: error: \(message)\n".utf8))
        exit(code)
    }
}
