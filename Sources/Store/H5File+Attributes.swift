import CHDF5

/// Scalar attributes on groups and datasets: `response_kind` on input files,
/// the fit summary (`loglik`, `aic`, `converged`, ...) on output files.
///
/// Setting an attribute that already exists replaces it (unlike datasets,
/// attributes are small and are legitimately updated, e.g. run time).
/// Strings are stored as variable-length UTF-8 scalars, doubles as float64,
/// integers as int64, which is what h5py writes for Python values.
extension H5File {
    /// Sets a string attribute on `object` (a group or dataset; root by default).
    public func setAttribute(_ name: String, _ value: String, on object: String = "/") throws {
        let field = attributeField(name, object)
        let type = try makeVariableStringType(field)
        defer { H5Tclose(type) }
        try withCStringPointers([value], field: field) { pointer in
            try writeAttribute(name, on: object, fileType: type, memoryType: type, data: pointer)
        }
    }

    /// Sets a float64 attribute on `object`.
    public func setAttribute(_ name: String, _ value: Double, on object: String = "/") throws {
        var value = value
        try writeAttribute(name, on: object, fileType: irsl_h5t_ieee_f64le(),
                           memoryType: irsl_h5t_native_double(), data: &value)
    }

    /// Sets an int64 attribute on `object`.
    public func setAttribute(_ name: String, _ value: Int, on object: String = "/") throws {
        var value = Int64(value)
        try writeAttribute(name, on: object, fileType: irsl_h5t_std_i64le(),
                           memoryType: irsl_h5t_native_int64(), data: &value)
    }

    /// A string attribute (variable- or fixed-length), or nil when `object`
    /// has no attribute `name`. Throws if `object` is missing or the
    /// attribute is not a single string.
    public func stringAttribute(_ name: String, on object: String = "/") throws -> String? {
        let field = attributeField(name, object)
        return try withAttribute(name, on: object) { attribute, type, space in
            let values = try decodeStrings(field, storedType: type, space: space) { memoryType, buffer in
                H5Aread(attribute, memoryType, buffer)
            }
            guard values.count == 1 else {
                throw StoreError(file: label, field: field, message: "expected one string, found \(values.count)")
            }
            return values[0]
        }
    }

    /// A numeric attribute (any integer or float type) as Double, or nil when absent.
    public func doubleAttribute(_ name: String, on object: String = "/") throws -> Double? {
        try readNumericAttribute(name, on: object, memoryType: irsl_h5t_native_double(), zero: 0.0)
    }

    /// A numeric attribute as Int (floats truncate toward zero), or nil when absent.
    public func intAttribute(_ name: String, on object: String = "/") throws -> Int? {
        try readNumericAttribute(name, on: object, memoryType: irsl_h5t_native_int64(), zero: Int64(0))
            .map { Int($0) }
    }

    /// Removes attribute `name` of `object` if present.
    public func removeAttribute(_ name: String, on object: String = "/") throws {
        let field = attributeField(name, object)
        let target = try openObject(H5File.normalise(object))
        defer { H5Oclose(target) }
        let present = H5Aexists(target, name)
        guard present >= 0 else { throw failure(field, "cannot check for the attribute") }
        if present > 0, H5Adelete(target, name) < 0 { throw failure(field, "cannot remove the attribute") }
    }

    // MARK: - Implementation

    /// How an attribute is named in errors: "/models/name@units", or "@loglik" on the root.
    private func attributeField(_ name: String, _ object: String) -> String {
        let path = H5File.normalise(object)
        return path == "/" ? "@\(name)" : "\(path)@\(name)"
    }

    private func writeAttribute(_ name: String, on object: String, fileType: hid_t, memoryType: hid_t,
                                data: UnsafeRawPointer) throws {
        let field = attributeField(name, object)
        let target = try openObject(H5File.normalise(object))
        defer { H5Oclose(target) }
        let present = H5Aexists(target, name)
        guard present >= 0 else { throw failure(field, "cannot check for the attribute") }
        if present > 0 {
            guard H5Adelete(target, name) >= 0 else { throw failure(field, "cannot replace the attribute") }
        }
        let space = try makeDataspace(field, [])
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(target, name, fileType, space, irsl_h5p_default(), irsl_h5p_default())
        guard attribute >= 0 else { throw failure(field, "cannot create the attribute") }
        defer { H5Aclose(attribute) }
        guard H5Awrite(attribute, memoryType, data) >= 0 else {
            throw failure(field, "cannot write the attribute")
        }
    }

    /// Opens attribute `name` of `object` and passes its id, type and space
    /// to `body`; nil when the attribute does not exist.
    private func withAttribute<R>(_ name: String, on object: String,
                                  _ body: (hid_t, hid_t, hid_t) throws -> R) throws -> R? {
        let field = attributeField(name, object)
        let target = try openObject(H5File.normalise(object))
        defer { H5Oclose(target) }
        let present = H5Aexists(target, name)
        guard present >= 0 else { throw failure(field, "cannot check for the attribute") }
        guard present > 0 else { return nil }
        let attribute = H5Aopen(target, name, irsl_h5p_default())
        guard attribute >= 0 else { throw failure(field, "cannot open the attribute") }
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        guard type >= 0 else { throw failure(field, "cannot read the attribute's type") }
        defer { H5Tclose(type) }
        let space = H5Aget_space(attribute)
        guard space >= 0 else { throw failure(field, "cannot read the attribute's dataspace") }
        defer { H5Sclose(space) }
        return try body(attribute, type, space)
    }

    /// A single-valued numeric attribute converted by HDF5 to `memoryType`, or nil when absent.
    private func readNumericAttribute<T>(_ name: String, on object: String, memoryType: hid_t,
                                         zero: T) throws -> T? {
        let field = attributeField(name, object)
        return try withAttribute(name, on: object) { attribute, type, space in
            guard H5File.isNumeric(type: type) else {
                throw StoreError(file: label, field: field,
                                 message: "expected a number, found \(H5File.describe(type: type))")
            }
            let count = H5Sget_simple_extent_npoints(space)
            guard count == 1 else {
                throw StoreError(file: label, field: field, message: "expected one number, found \(count)")
            }
            var value = zero
            let status = withUnsafeMutableBytes(of: &value) { H5Aread(attribute, memoryType, $0.baseAddress) }
            guard status >= 0 else {
                throw failure(field, "cannot read the attribute")
            }
            return value
        }
    }
}
