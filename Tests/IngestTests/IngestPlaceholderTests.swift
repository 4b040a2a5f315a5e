import XCTest
import Ingest
