// The ScalingLaw module; see Package.swift for its purpose.
