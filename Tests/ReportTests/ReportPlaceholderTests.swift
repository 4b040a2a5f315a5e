import XCTest
import Report
