package kmscrypto

import "encoding/binary"

// This file holds the Rijndael block cipher core shared by all KMS
// versions: a 128-bit block with a key of Nk 32-bit words and Nr rounds,
// implemented with 32-bit T-tables in the style of Go's crypto/aes generic
// code. The tables (tables_gen.go) are literals generated from their
// derivation in tables_test.go: the S-box from GF(2^8) arithmetic, the
// T-tables from the S-box. A test derives them again and compares.
//
// Words are big-endian: word i of the state holds bytes 4i..4i+3 (one
// column), the first byte in the most significant position.

// maxRoundKeyWords is the size of the largest schedule used here:
// Rijndael-160 with 11 rounds needs 12 round keys of 4 words.
const maxRoundKeyWords = 48

// rijndael is an expanded Rijndael key with a 128-bit block. It is
// immutable once built and therefore safe for concurrent use. It implements
// crypto/cipher.Block.
type rijndael struct {
	nr  int                      // number of rounds
	enc [maxRoundKeyWords]uint32 // forward round keys, 4*(nr+1) words used
	dec [maxRoundKeyWords]uint32 // equivalent inverse cipher round keys
}

// encryptWords encrypts one block held as four big-endian column words.
func (c *rijndael) encryptWords(s0, s1, s2, s3 uint32) (uint32, uint32, uint32, uint32) {
	xk := &c.enc
	s0 ^= xk[0]
	s1 ^= xk[1]
	s2 ^= xk[2]
	s3 ^= xk[3]
	k := 4
	var t0, t1, t2, t3 uint32
	for r := 1; r < c.nr; r++ {
		t0 = xk[k+0] ^ te0[s0>>24] ^ te1[s1>>16&0xff] ^ te2[s2>>8&0xff] ^ te3[s3&0xff]
		t1 = xk[k+1] ^ te0[s1>>24] ^ te1[s2>>16&0xff] ^ te2[s3>>8&0xff] ^ te3[s0&0xff]
		t2 = xk[k+2] ^ te0[s2>>24] ^ te1[s3>>16&0xff] ^ te2[s0>>8&0xff] ^ te3[s1&0xff]
		t3 = xk[k+3] ^ te0[s3>>24] ^ te1[s0>>16&0xff] ^ te2[s1>>8&0xff] ^ te3[s2&0xff]
		s0, s1, s2, s3 = t0, t1, t2, t3
		k += 4
	}
	// Last round: SubBytes, ShiftRows, AddRoundKey (no MixColumns).
	t0 = uint32(sbox0[s0>>24])<<24 | uint32(sbox0[s1>>16&0xff])<<16 | uint32(sbox0[s2>>8&0xff])<<8 | uint32(sbox0[s3&0xff])
	t1 = uint32(sbox0[s1>>24])<<24 | uint32(sbox0[s2>>16&0xff])<<16 | uint32(sbox0[s3>>8&0xff])<<8 | uint32(sbox0[s0&0xff])
	t2 = uint32(sbox0[s2>>24])<<24 | uint32(sbox0[s3>>16&0xff])<<16 | uint32(sbox0[s0>>8&0xff])<<8 | uint32(sbox0[s1&0xff])
	t3 = uint32(sbox0[s3>>24])<<24 | uint32(sbox0[s0>>16&0xff])<<16 | uint32(sbox0[s1>>8&0xff])<<8 | uint32(sbox0[s2&0xff])
	return t0 ^ xk[k+0], t1 ^ xk[k+1], t2 ^ xk[k+2], t3 ^ xk[k+3]
}

// decryptWords decrypts one block held as four big-endian column words
// with the equivalent inverse cipher.
func (c *rijndael) decryptWords(s0, s1, s2, s3 uint32) (uint32, uint32, uint32, uint32) {
	xk := &c.dec
	s0 ^= xk[0]
	s1 ^= xk[1]
	s2 ^= xk[2]
	s3 ^= xk[3]
	k := 4
	var t0, t1, t2, t3 uint32
	for r := 1; r < c.nr; r++ {
		t0 = xk[k+0] ^ td0[s0>>24] ^ td1[s3>>16&0xff] ^ td2[s2>>8&0xff] ^ td3[s1&0xff]
		t1 = xk[k+1] ^ td0[s1>>24] ^ td1[s0>>16&0xff] ^ td2[s3>>8&0xff] ^ td3[s2&0xff]
		t2 = xk[k+2] ^ td0[s2>>24] ^ td1[s1>>16&0xff] ^ td2[s0>>8&0xff] ^ td3[s3&0xff]
		t3 = xk[k+3] ^ td0[s3>>24] ^ td1[s2>>16&0xff] ^ td2[s1>>8&0xff] ^ td3[s0&0xff]
		s0, s1, s2, s3 = t0, t1, t2, t3
		k += 4
	}
	// Last round: InvShiftRows, InvSubBytes, AddRoundKey.
	t0 = uint32(sbox1[s0>>24])<<24 | uint32(sbox1[s3>>16&0xff])<<16 | uint32(sbox1[s2>>8&0xff])<<8 | uint32(sbox1[s1&0xff])
	t1 = uint32(sbox1[s1>>24])<<24 | uint32(sbox1[s0>>16&0xff])<<16 | uint32(sbox1[s3>>8&0xff])<<8 | uint32(sbox1[s2&0xff])
	t2 = uint32(sbox1[s2>>24])<<24 | uint32(sbox1[s1>>16&0xff])<<16 | uint32(sbox1[s0>>8&0xff])<<8 | uint32(sbox1[s3&0xff])
	t3 = uint32(sbox1[s3>>24])<<24 | uint32(sbox1[s2>>16&0xff])<<16 | uint32(sbox1[s1>>8&0xff])<<8 | uint32(sbox1[s0&0xff])
	return t0 ^ xk[k+0], t1 ^ xk[k+1], t2 ^ xk[k+2], t3 ^ xk[k+3]
}

// BlockSize returns the block size, 16 bytes.
func (c *rijndael) BlockSize() int { return 16 }

// Encrypt encrypts the first block of src into dst. Like crypto/aes it
// requires full 16-byte blocks; dst and src may overlap exactly.
func (c *rijndael) Encrypt(dst, src []byte) {
	if len(src) < 16 || len(dst) < 16 {
		panic("kmscrypto: input not full block")
	}
	s0, s1, s2, s3 := c.encryptWords(load(src))
	store(dst, s0, s1, s2, s3)
}

// Decrypt decrypts the first block of src into dst. Like crypto/aes it
// requires full 16-byte blocks; dst and src may overlap exactly.
func (c *rijndael) Decrypt(dst, src []byte) {
	if len(src) < 16 || len(dst) < 16 {
		panic("kmscrypto: input not full block")
	}
	s0, s1, s2, s3 := c.decryptWords(load(src))
	store(dst, s0, s1, s2, s3)
}

// load reads the 16-byte block b as four big-endian words.
func load(b []byte) (uint32, uint32, uint32, uint32) {
	_ = b[15]
	return binary.BigEndian.Uint32(b[0:4]), binary.BigEndian.Uint32(b[4:8]),
		binary.BigEndian.Uint32(b[8:12]), binary.BigEndian.Uint32(b[12:16])
}

// store writes four big-endian words to the 16-byte block b.
func store(b []byte, s0, s1, s2, s3 uint32) {
	_ = b[15]
	binary.BigEndian.PutUint32(b[0:4], s0)
	binary.BigEndian.PutUint32(b[4:8], s1)
	binary.BigEndian.PutUint32(b[8:12], s2)
	binary.BigEndian.PutUint32(b[12:16], s3)
}
