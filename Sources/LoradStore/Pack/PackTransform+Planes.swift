extension PackTransform {
    /// Splits `source` (little-endian components of `width` bytes) into planes written to
    /// `destination`: plane k, at offset k * (count / width), holds byte k, most significant
    /// first, of every component, after a one-bit left rotation when `rotate` is true.
    ///
    /// The caller guarantees `source.count == destination.count`, that the count is a
    /// multiple of `width`, and that `width` is 2, 4 or 8.
    static func split(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, width: Int, rotate: Bool) {
        convert(source, destination, width: width, rotate: rotate, joining: false)
    }

    /// The inverse of `split`: reassembles components from the planes in `source` into
    /// `destination`, undoing the rotation when `rotate` is true. Same preconditions.
    static func join(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, width: Int, rotate: Bool) {
        convert(source, destination, width: width, rotate: rotate, joining: true)
    }

    private static func convert(
        _ source: UnsafeRawBufferPointer, _ destination: UnsafeMutableRawBufferPointer, width: Int, rotate: Bool, joining: Bool
    ) {
        switch (width, joining) {
        case (2, false): split(UInt16.self, source, destination, rotate)
        case (2, true): join(UInt16.self, source, destination, rotate)
        case (4, false): split(UInt32.self, source, destination, rotate)
        case (4, true): join(UInt32.self, source, destination, rotate)
        case (_, false): split(UInt64.self, source, destination, rotate)
        case (_, true): join(UInt64.self, source, destination, rotate)
        }
    }

    @inline(__always)
    private static func split<Word: FixedWidthInteger & UnsignedInteger>(
        _: Word.Type, _ source: UnsafeRawBufferPointer, _ destination: UnsafeMutableRawBufferPointer, _ rotate: Bool
    ) {
        let width = Word.bitWidth / 8
        let count = source.count / width
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        let top = Word.bitWidth - 1
        for index in 0..<count {
            var word = Word(littleEndian: input.loadUnaligned(fromByteOffset: index &* width, as: Word.self))
            if rotate { word = (word << 1) | (word >> top) }
            for plane in 0..<width {
                let shift = (width &- 1 &- plane) &* 8
                output.storeBytes(of: UInt8(truncatingIfNeeded: word >> shift), toByteOffset: plane &* count &+ index, as: UInt8.self)
            }
        }
    }

    @inline(__always)
    private static func join<Word: FixedWidthInteger & UnsignedInteger>(
        _: Word.Type, _ source: UnsafeRawBufferPointer, _ destination: UnsafeMutableRawBufferPointer, _ rotate: Bool
    ) {
        let width = Word.bitWidth / 8
        let count = source.count / width
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        let top = Word.bitWidth - 1
        for index in 0..<count {
            var word: Word = 0
            for plane in 0..<width {
                let byte = input.load(fromByteOffset: plane &* count &+ index, as: UInt8.self)
                word = (word << 8) | Word(byte)
            }
            if rotate { word = (word >> 1) | (word << top) }
            output.storeBytes(of: word.littleEndian, toByteOffset: index &* width, as: Word.self)
        }
    }
}
