#include "textflag.h"

// func callerPC() uintptr
//
// With no frame of its own, callerPC finds its caller's frame pointer in
// BP: the word above the saved frame pointer is that caller's return
// address, a PC in the function that called it.
TEXT ·callerPC(SB), NOSPLIT, $0-8
	MOVQ BP, AX
	MOVQ 8(AX), AX
	MOVQ AX, ret+0(FP)
	RET
