import XCTest
import ScalingLaw
