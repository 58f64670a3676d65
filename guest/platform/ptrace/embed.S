/* embed.S - the stub binary, carried inside the sandbox binary. */
	.section .rodata
	.balign 16
	.globl stub_image, stub_image_end
stub_image:
	.incbin "build/stub"
stub_image_end:
	.section .note.GNU-stack,"",@progbits
