/*
 * kvm_plat.h - what the files of qkernel's kvm platform (not the test boot image) share.
 */
#ifndef QK_KVM_PLAT_H
#define QK_KVM_PLAT_H

#include <qk/types.h>

#define MSR_APIC_BASE		0x1b
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define MSR_X2APIC_EOI		0x80b
#define MSR_X2APIC_SVR		0x80f
#define MSR_X2APIC_LVT_TIMER	0x832
#define MSR_X2APIC_TMICT	0x838
#define MSR_X2APIC_TDCR		0x83e

/* main.c: CPU features chosen at boot */
extern u64 kvm_xsave_mask;	/* XCR0, 0 = no XSAVE (FXSAVE is used) */
extern u32 kvm_mxcsr_mask;
void kvm_irq(unsigned vector);		/* an interrupt: EOI and its work */
void kvm_timer_arm_user(void);		/* before user mode: the next tick */

/* hostcall.c */
void hc_init(void);
void hc_reap(void);			/* take completions off the ring */
bool hc_cq_nonempty(void);
void hc_deliver_events(void);		/* forwarded host signals, at a safe point */
extern u64 hc_doorbells;		/* doorbell port writes (each is a VM exit) */

#endif
