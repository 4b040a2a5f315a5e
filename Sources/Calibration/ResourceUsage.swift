import Foundation

/// What the operating system says this process used.
public enum ResourceUsage {
    /// Peak resident set size (VmHWM) in bytes, from /proc/self/status; 0 where unavailable.
    public static func peakResidentBytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kb = Double(fields[1]) { return kb * 1024 }
        }
        return 0
    }
}
