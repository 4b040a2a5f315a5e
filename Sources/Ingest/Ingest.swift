// The Ingest module; see Package.swift for its purpose.
