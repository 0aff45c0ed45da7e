package xlsxread

import (
	"bytes"
	"encoding/binary"
	"io"
	"unicode/utf16"
)

// An encrypted (password-protected) .xlsx is not a zip archive but an OLE
// compound file (CFB), like a legacy .xls, holding the streams
// "EncryptionInfo" and "EncryptedPackage". isEncryptedOLE tells the two
// apart: it walks the compound file's directory chain looking for those
// stream names and, should the directory be unusual, also scans the
// first and last 512 KiB of the file for the names in UTF-16LE.
func isEncryptedOLE(r io.ReaderAt, size int64) bool {
	names := [][]byte{utf16le("EncryptionInfo"), utf16le("EncryptedPackage")}
	if cfbDirHas(r, size, names) {
		return true
	}
	const window = 512 << 10
	for _, off := range []int64{0, max(size-window, 0)} {
		buf := make([]byte, min(window, size-off))
		n, _ := r.ReadAt(buf, off)
		for _, name := range names {
			if bytes.Contains(buf[:n], name) {
				return true
			}
		}
		if size <= window {
			break
		}
	}
	return false
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// cfbDirHas reports whether a directory entry of the compound file has
// one of the given UTF-16LE names. It gives up (false) on anything odd.
func cfbDirHas(r io.ReaderAt, size int64, names [][]byte) bool {
	var hdr [512]byte
	if size < int64(len(hdr)) {
		return false
	}
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return false
	}
	shift := binary.LittleEndian.Uint16(hdr[0x1E:])
	if shift < 7 || shift > 16 {
		return false
	}
	secSize := int64(1) << shift
	perFAT := secSize / 4
	var difat [109]uint32
	for i := range difat {
		difat[i] = binary.LittleEndian.Uint32(hdr[0x4C+4*i:])
	}
	offset := func(sid uint32) (int64, bool) {
		off := (int64(sid) + 1) * secSize
		return off, off+secSize <= size
	}
	nextSID := func(sid uint32) (uint32, bool) {
		idx := int64(sid) / perFAT
		if idx >= int64(len(difat)) {
			return 0, false
		}
		fatOff, ok := offset(difat[idx])
		if !ok {
			return 0, false
		}
		var b [4]byte
		if _, err := r.ReadAt(b[:], fatOff+(int64(sid)%perFAT)*4); err != nil {
			return 0, false
		}
		return binary.LittleEndian.Uint32(b[:]), true
	}
	sec := make([]byte, secSize)
	sid := binary.LittleEndian.Uint32(hdr[0x30:])
	for range 4096 {
		if sid >= 0xFFFFFFFA { // end of chain or a special value
			return false
		}
		off, ok := offset(sid)
		if !ok {
			return false
		}
		if _, err := r.ReadAt(sec, off); err != nil {
			return false
		}
		for e := int64(0); e+128 <= secSize; e += 128 {
			ent := sec[e : e+128]
			n := int(binary.LittleEndian.Uint16(ent[0x40:]))
			if n < 2 || n > 64 {
				continue
			}
			for _, name := range names {
				if bytes.Equal(ent[:n-2], name) {
					return true
				}
			}
		}
		if sid, ok = nextSID(sid); !ok {
			return false
		}
	}
	return false
}
