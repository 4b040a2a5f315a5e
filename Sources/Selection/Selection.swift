// The Selection module; see Package.swift for its purpose.
