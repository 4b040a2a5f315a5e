import XCTest
import Selection
