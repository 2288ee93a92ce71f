// Package kmscrypto implements the ciphers, MAC and hashes of the KMS protocol versions 4, 5 and 6.
//
// Version 4 authenticates with a CBC-MAC built on Rijndael with a 128-bit
// block and a 160-bit key (V4Hash). Versions 5 and 6 encrypt with AES-128 in
// CBC mode with PKCS#7 padding (Block, EncryptCBC, DecryptCBC, DecryptBlock);
// version 6 uses a modified AES-128 key schedule and adds a truncated
// HMAC-SHA256 keyed from the response time (HMACKey, V6HMAC).
//
// All keys and constants are public: these primitives detect corruption and
// naive emulators, they do not provide secrecy or authenticity against anyone
// who knows the protocol. Nothing here needs to run in constant time.
//
// Everything in the package is safe for concurrent use.
package kmscrypto

import (
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
)

// Sentinel errors returned by DecryptCBC.
var (
	// ErrLength reports a ciphertext whose length is zero or not a multiple
	// of the 16-byte block size.
	ErrLength = errors.New("kmscrypto: ciphertext length is not a non-zero multiple of 16")
	// ErrPadding reports a decrypted message whose PKCS#7 padding is invalid.
	ErrPadding = errors.New("kmscrypto: invalid PKCS#7 padding")
)

// Protocol keys (docs/protocol.md §5.2 and §6.1).
var (
	v4Key = [20]byte{
		0x05, 0x3d, 0x83, 0x07, 0xf9, 0xe5, 0xf0, 0x88, 0xeb, 0x5e,
		0xa6, 0x68, 0x6c, 0xf0, 0x37, 0xc7, 0xe4, 0xef, 0xd2, 0xd6,
	}
	v5Key = [16]byte{
		0xcd, 0x7e, 0x79, 0x6f, 0x2a, 0xb2, 0x5d, 0xcb,
		0x55, 0xff, 0xc8, 0xef, 0x83, 0x64, 0xc4, 0x70,
	}
	v6Key = [16]byte{
		0xa9, 0x4a, 0x41, 0x95, 0xe2, 0x01, 0x43, 0x2d,
		0x9b, 0xcb, 0x46, 0x04, 0x05, 0xd8, 0x4a, 0x21,
	}
)

// The expanded ciphers v4Cipher (Rijndael-160 key, 11 rounds; encryption
// only), v5Cipher (standard AES-128) and v6Cipher (AES-128 with the V6
// schedule tweak: byte 0 of round keys 4, 6 and 8 XORed with 0x73, 0x09 and
// 0xE4), like the S-boxes and T-tables, are computed by the derivation in
// tables_test.go and kept as literals in tables_gen.go, so that a process
// start does no work for them.
//go:generate go test -run TestGeneratedTables -update

// V4Hash returns the V4 CBC-MAC of msg: Rijndael with a 128-bit block, the
// 160-bit V4 key and 11 rounds, over msg padded with 0x80 and then zero
// bytes to a multiple of 16 (at least one byte is always added), from a zero
// IV; the result is the last cipher block.
func V4Hash(msg []byte) [16]byte {
	c := &v4Cipher
	var s0, s1, s2, s3 uint32
	for len(msg) >= 16 {
		m0, m1, m2, m3 := load(msg)
		s0, s1, s2, s3 = c.encryptWords(s0^m0, s1^m1, s2^m2, s3^m3)
		msg = msg[16:]
	}
	var last [16]byte
	n := copy(last[:], msg)
	last[n] = 0x80
	m0, m1, m2, m3 := load(last[:])
	s0, s1, s2, s3 = c.encryptWords(s0^m0, s1^m1, s2^m2, s3^m3)
	var out [16]byte
	store(out[:], s0, s1, s2, s3)
	return out
}

// Block returns the block cipher of KMS protocol version 5 (standard AES-128
// with the V5 key) or 6 (AES-128 with the V6 key and the modified key
// schedule: byte 0 of round keys 4, 6 and 8 XORed with 0x73, 0x09 and 0xE4).
// Versions above 6 use the V6 cipher, as hosts do; versions below 5 have no
// block cipher and return nil.
//
// The returned cipher.Block supports Encrypt and Decrypt, which panic on
// blocks shorter than 16 bytes as crypto/aes does, and is safe for
// concurrent use. The values are shared: Block does not allocate.
func Block(version int) cipher.Block {
	switch {
	case version < 5:
		return nil
	case version == 5:
		return &v5Cipher
	default:
		return &v6Cipher
	}
}

// EncryptCBC returns CBC-Enc(iv, PKCS7(plain)) appended to dst (dst may be
// nil). PKCS#7 appends n bytes of value n, n = 16 - len(plain)%16, so the
// ciphertext is 1 to 16 bytes longer than plain. The appended part of dst
// must not overlap plain, except that it may start exactly at plain
// (in-place encryption with dst = plain[:0] and enough capacity).
//
// b must be a 16-byte block cipher (normally from Block) and iv non-nil.
func EncryptCBC(dst []byte, b cipher.Block, iv *[16]byte, plain []byte) []byte {
	n := len(plain) &^ 15
	ret, out := sliceForAppend(dst, n+16)

	var last [16]byte
	k := copy(last[:], plain[n:])
	pad := byte(16 - k)
	for i := k; i < 16; i++ {
		last[i] = pad
	}

	if c, ok := b.(*rijndael); ok {
		s0, s1, s2, s3 := load(iv[:])
		for i := 0; i < n; i += 16 {
			m0, m1, m2, m3 := load(plain[i : i+16])
			s0, s1, s2, s3 = c.encryptWords(s0^m0, s1^m1, s2^m2, s3^m3)
			store(out[i:i+16], s0, s1, s2, s3)
		}
		m0, m1, m2, m3 := load(last[:])
		s0, s1, s2, s3 = c.encryptWords(s0^m0, s1^m1, s2^m2, s3^m3)
		store(out[n:n+16], s0, s1, s2, s3)
		return ret
	}

	// Any other cipher.Block: only slices of the output are handed to it.
	chain := *iv
	for i := 0; i <= n; i += 16 {
		src := last[:]
		if i < n {
			src = plain[i : i+16]
		}
		blk := out[i : i+16]
		for j := range 16 {
			blk[j] = src[j] ^ chain[j]
		}
		b.Encrypt(blk, blk)
		copy(chain[:], blk)
	}
	return ret
}

// DecryptCBC CBC-decrypts ct with iv, verifies and strips the PKCS#7
// padding, and returns the plaintext appended to dst. len(ct) must be a
// non-zero multiple of 16, else ErrLength; the last byte n of the decrypted
// data must be in 1..16 and the last n bytes must all equal n, else
// ErrPadding. On error dst is returned unchanged (its spare capacity may have
// been written). The appended part of dst must not overlap ct, except that it
// may start exactly at ct (in-place decryption with dst = ct[:0]).
//
// b must be a 16-byte block cipher (normally from Block) and iv non-nil.
func DecryptCBC(dst []byte, b cipher.Block, iv *[16]byte, ct []byte) ([]byte, error) {
	if len(ct) == 0 || len(ct)%16 != 0 {
		return dst, ErrLength
	}
	ret, out := sliceForAppend(dst, len(ct))

	if c, ok := b.(*rijndael); ok {
		p0, p1, p2, p3 := load(iv[:])
		for i := 0; i < len(ct); i += 16 {
			c0, c1, c2, c3 := load(ct[i : i+16])
			d0, d1, d2, d3 := c.decryptWords(c0, c1, c2, c3)
			store(out[i:i+16], d0^p0, d1^p1, d2^p2, d3^p3)
			p0, p1, p2, p3 = c0, c1, c2, c3
		}
	} else {
		// Any other cipher.Block: decrypt in the output, keeping the
		// previous ciphertext block in a local copy.
		prev := *iv
		var cur [16]byte
		for i := 0; i < len(ct); i += 16 {
			copy(cur[:], ct[i:i+16])
			blk := out[i : i+16]
			copy(blk, cur[:])
			b.Decrypt(blk, blk)
			for j := range 16 {
				blk[j] ^= prev[j]
			}
			prev = cur
		}
	}

	pad := int(out[len(out)-1])
	if pad == 0 || pad > 16 {
		return dst, ErrPadding
	}
	for _, v := range out[len(out)-pad:] {
		if int(v) != pad {
			return dst, ErrPadding
		}
	}
	return ret[:len(ret)-pad], nil
}

// DecryptBlock returns the single-block decryption D(x) with b (used for
// DIV = D(request IV) and S = D(RIV)). b must be a 16-byte block cipher
// (normally from Block) and x non-nil.
func DecryptBlock(b cipher.Block, x *[16]byte) [16]byte {
	var out [16]byte
	if c, ok := b.(*rijndael); ok {
		d0, d1, d2, d3 := c.decryptWords(load(x[:]))
		store(out[:], d0, d1, d2, d3)
		return out
	}
	return decryptBlockGeneric(b, *x)
}

// decryptBlockGeneric is the path for foreign cipher.Block values; it is a
// separate function so that only this path pays for the heap buffer that an
// interface call requires.
func decryptBlockGeneric(b cipher.Block, x [16]byte) [16]byte {
	buf := make([]byte, 16)
	copy(buf, x[:])
	b.Decrypt(buf, buf)
	return [16]byte(buf)
}

// V6 HMAC key derivation constants (docs/protocol.md §6.6).
const (
	hmacC1 = 0x00000022816889BD // slot length in 100 ns units (about 4.12 h)
	hmacC2 = 0x000000208CBAB5ED
	hmacC3 = 0x3156CD5AC628477A
)

// HMACKey returns the V6 HMAC key derived from the FILETIME t (the
// response's echoed request time): slot = t / 0x00000022816889BD;
// seed = slot*0x000000208CBAB5ED + 0x3156CD5AC628477A (mod 2^64);
// key = SHA-256(seed as 8 little-endian bytes)[16:32].
func HMACKey(t uint64) [16]byte {
	seed := (t/hmacC1)*hmacC2 + hmacC3
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	sum := sha256.Sum256(b[:])
	return [16]byte(sum[16:32])
}

// hmacStackInner is the largest inner message V6HMAC hashes without a heap
// buffer; a V6 response has at most 116 + 128 = 244 bytes.
const hmacStackInner = 256

// V6HMAC returns HMAC-SHA256(key, salt || inner)[16:32], the last 16 bytes
// of the digest. For V6 responses salt is S = D(RIV) and inner is the
// decrypted response up to (not including) the HMAC field.
func V6HMAC(key *[16]byte, salt *[16]byte, inner []byte) [16]byte {
	// HMAC (RFC 2104) with a 16-byte key and SHA-256's 64-byte block,
	// computed with sha256.Sum256 over stack buffers so that it does not
	// allocate; the result equals crypto/hmac's.
	const blockSize = 64
	var buf [blockSize + 16 + hmacStackInner]byte
	msg := buf[:]
	if len(inner) > hmacStackInner {
		msg = make([]byte, blockSize+16+len(inner))
	}
	for i := range blockSize {
		msg[i] = 0x36
	}
	for i, k := range key {
		msg[i] ^= k
	}
	copy(msg[blockSize:], salt[:])
	copy(msg[blockSize+16:], inner)
	innerSum := sha256.Sum256(msg[:blockSize+16+len(inner)])

	var outer [blockSize + sha256.Size]byte
	for i := range blockSize {
		outer[i] = 0x5c
	}
	for i, k := range key {
		outer[i] ^= k
	}
	copy(outer[blockSize:], innerSum[:])
	sum := sha256.Sum256(outer[:])
	return [16]byte(sum[16:32])
}

// sliceForAppend extends in by n bytes, reallocating if needed, and returns
// the whole slice and the extension.
func sliceForAppend(in []byte, n int) (head, tail []byte) {
	if total := len(in) + n; cap(in) >= total {
		head = in[:total]
	} else {
		head = make([]byte, total)
		copy(head, in)
	}
	tail = head[len(in):]
	return
}
