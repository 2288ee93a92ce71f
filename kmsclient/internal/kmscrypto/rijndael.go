package kmscrypto

import "encoding/binary"

// This file holds the Rijndael block cipher core shared by all KMS
// versions: a 128-bit block with a key of Nk 32-bit words and Nr rounds,
// implemented with 32-bit T-tables in the style of Go's crypto/aes generic
// code. The tables are computed once, at package initialisation, from the
// S-box, which is itself derived from GF(2^8) arithmetic.
//
// Words are big-endian: word i of the state holds bytes 4i..4i+3 (one
// column), the first byte in the most significant position.

// maxRoundKeyWords is the size of the largest schedule used here:
// Rijndael-160 with 11 rounds needs 12 round keys of 4 words.
const maxRoundKeyWords = 48

var (
	sbox0              [256]byte   // S-box
	sbox1              [256]byte   // inverse S-box
	te0, te1, te2, te3 [256]uint32 // SubBytes + MixColumns, one per byte position
	td0, td1, td2, td3 [256]uint32 // InvSubBytes + InvMixColumns
	powx               [16]byte    // powers of x in GF(2^8): Rcon values
)

// mul multiplies a and b in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.
func mul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1b
		}
		b >>= 1
	}
	return p
}

func rotl8(x byte, n uint) byte { return x<<n | x>>(8-n) }

// initTables computes the S-boxes, Rcon and the T-tables.
func initTables() {
	// S-box: walk the multiplicative group with generator 3 (p) and its
	// inverse (q = p^-1), then apply the affine transformation to q.
	p, q := byte(1), byte(1)
	for {
		// p *= 3
		hi := p & 0x80
		p ^= p << 1
		if hi != 0 {
			p ^= 0x1b
		}
		// q /= 3
		q ^= q << 1
		q ^= q << 2
		q ^= q << 4
		if q&0x80 != 0 {
			q ^= 0x09
		}
		sbox0[p] = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63
		if p == 1 {
			break
		}
	}
	sbox0[0] = 0x63
	for i := range 256 {
		sbox1[sbox0[i]] = byte(i)
	}

	x := byte(1)
	for i := range powx {
		powx[i] = x
		x = mul(x, 2)
	}

	for i := range 256 {
		s := sbox0[i]
		w := uint32(mul(s, 2))<<24 | uint32(s)<<16 | uint32(s)<<8 | uint32(mul(s, 3))
		te0[i] = w
		te1[i] = w>>8 | w<<24
		te2[i] = w>>16 | w<<16
		te3[i] = w>>24 | w<<8

		s = sbox1[i]
		w = uint32(mul(s, 0x0e))<<24 | uint32(mul(s, 0x09))<<16 | uint32(mul(s, 0x0d))<<8 | uint32(mul(s, 0x0b))
		td0[i] = w
		td1[i] = w>>8 | w<<24
		td2[i] = w>>16 | w<<16
		td3[i] = w>>24 | w<<8
	}
}

// rijndael is an expanded Rijndael key with a 128-bit block. It is
// immutable once built and therefore safe for concurrent use. It implements
// crypto/cipher.Block.
type rijndael struct {
	nr  int                      // number of rounds
	enc [maxRoundKeyWords]uint32 // forward round keys, 4*(nr+1) words used
	dec [maxRoundKeyWords]uint32 // equivalent inverse cipher round keys
}

func subWord(w uint32) uint32 {
	return uint32(sbox0[w>>24])<<24 | uint32(sbox0[w>>16&0xff])<<16 | uint32(sbox0[w>>8&0xff])<<8 | uint32(sbox0[w&0xff])
}

// expandKey fills c.enc with the standard Rijndael key schedule for a key
// of len(key)/4 words (len(key) must be 16, 20 or 24) and nr rounds.
func (c *rijndael) expandKey(key []byte, nr int) {
	nk := len(key) / 4
	n := 4 * (nr + 1)
	c.nr = nr
	for i := range nk {
		c.enc[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	for i := nk; i < n; i++ {
		t := c.enc[i-1]
		if i%nk == 0 {
			t = subWord(t<<8|t>>24) ^ uint32(powx[i/nk-1])<<24
		} else if nk > 6 && i%nk == 4 {
			t = subWord(t)
		}
		c.enc[i] = c.enc[i-nk] ^ t
	}
}

// invertKey derives the decryption schedule of the equivalent inverse
// cipher from c.enc (whatever it holds, tweaks included): round keys in
// reverse order, InvMixColumns applied to all but the first and last.
func (c *rijndael) invertKey() {
	n := 4 * (c.nr + 1)
	for i := 0; i < n; i += 4 {
		ei := n - i - 4
		for j := range 4 {
			x := c.enc[ei+j]
			if i > 0 && i+4 < n {
				x = td0[sbox0[x>>24]] ^ td1[sbox0[x>>16&0xff]] ^ td2[sbox0[x>>8&0xff]] ^ td3[sbox0[x&0xff]]
			}
			c.dec[i+j] = x
		}
	}
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
