package kmscrypto

import "testing"

// BenchmarkV4Hash hashes one 236-byte base request (a V4 request's MAC).
func BenchmarkV4Hash(b *testing.B) {
	msg := baseRequest(b, 4)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		_ = V4Hash(msg)
	}
}

// BenchmarkV6Crypto does everything a client does per V6 exchange:
// encrypt the 236-byte request, decrypt and unpad a 240-byte reply,
// DIV = D(request IV), S = D(RIV), derive the HMAC key and compute the HMAC
// over 230 bytes. Output buffers are reused, as a client loop would.
func BenchmarkV6Crypto(b *testing.B) {
	base := baseRequest(b, 6)
	iv := seq16
	riv := [16]byte{0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f}
	inner := make([]byte, 230) // V6 inner with P = 98: 230 bytes + 10 pad = 240
	for i := range inner {
		inner[i] = byte(i)
	}
	reply := EncryptCBC(nil, Block(6), &riv, inner)
	if len(reply) != 240 {
		b.Fatalf("reply ciphertext %d bytes", len(reply))
	}
	reqBuf := make([]byte, 0, 260)
	ptBuf := make([]byte, 0, 240)
	const ft = 134399301040000000
	b.ReportAllocs()
	for b.Loop() {
		blk := Block(6)
		req := EncryptCBC(reqBuf[:0], blk, &iv, base)
		pt, err := DecryptCBC(ptBuf[:0], blk, &riv, reply)
		if err != nil || len(req) != 240 || len(pt) != 230 {
			b.Fatal("V6 exchange failed")
		}
		div := DecryptBlock(blk, &iv)
		s := DecryptBlock(blk, &riv)
		key := HMACKey(ft)
		mac := V6HMAC(&key, &s, pt)
		_, _ = div, mac
	}
}

// BenchmarkV6Block encrypts one block with the V6 cipher.
func BenchmarkV6Block(b *testing.B) {
	blk := Block(6)
	var buf [16]byte
	b.SetBytes(16)
	b.ReportAllocs()
	for b.Loop() {
		blk.Encrypt(buf[:], buf[:])
	}
}
