/* Test-only stand-in for Windows' bcryptprimitives.dll, for Wine 8, which
 * lacks it. Go 1.24+ binaries take their random numbers from ProcessPrng
 * and do not start without it. Built by .ci/wine-test with
 * x86_64-w64-mingw32-gcc and copied into the Wine prefix's system32; never
 * shipped. ProcessPrng fills data with len random bytes and always
 * succeeds; RtlGenRandom (advapi32's SystemFunction036) does the work. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	for (; len > 0;) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
