// The Report module; see Package.swift for its purpose.
