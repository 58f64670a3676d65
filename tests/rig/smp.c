/* tests/rig/smp.c - the kvm platform's SMP test (run by tests/rig/kvm_platform_vm.sh with 2
 * vCPUs, and natively in the rig VM for the expected output): 4 CPU-bound processes and a
 * pipe ping-pong at the same time. Every result is checked; the CPUs the workers ran on
 * (getcpu at every step) must cover more than one CPU. Output is deterministic. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS	4
#define STEPS	64
#define ITERS	40000	/* per step */
#define PINGS	2000

static unsigned cpu_now(void)
{
	unsigned cpu = 0;

	syscall(SYS_getcpu, &cpu, NULL, NULL);
	return cpu;
}

/* xorshift64: the same sequence everywhere */
static uint64_t work(uint64_t seed, uint64_t *cpus)
{
	uint64_t x = seed;

	for (int s = 0; s < STEPS; s++) {
		for (int i = 0; i < ITERS; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		*cpus |= 1ull << (cpu_now() & 63);
	}
	return x;
}

int main(void)
{
	int res[2], ping[2], pong[2];
	pid_t pid[WORKERS + 1];
	uint64_t cpus = 0;
	cpu_set_t set;

	if (pipe(res) || pipe(ping) || pipe(pong))
		return 1;
	for (int w = 0; w < WORKERS; w++) {
		pid[w] = fork();
		if (pid[w] == 0) {
			uint64_t c = 0, r[3] = { (uint64_t)w, work(0x9e3779b97f4a7c15ull + w, &c), 0 };

			r[2] = c;
			_exit(write(res[1], r, sizeof(r)) == sizeof(r) ? 0 : 1);
		}
	}
	pid[WORKERS] = fork();
	if (pid[WORKERS] == 0) {	/* pong: add one to each value */
		close(ping[1]);
		close(pong[0]);
		for (uint32_t v; read(ping[0], &v, sizeof(v)) == sizeof(v);) {
			v++;
			if (write(pong[1], &v, sizeof(v)) != sizeof(v))
				_exit(1);
		}
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	uint32_t v = 0, bad = 0;
	for (int i = 0; i < PINGS; i++) {
		uint32_t got;

		if (write(ping[1], &v, sizeof(v)) != sizeof(v) || read(pong[0], &got, sizeof(got)) != sizeof(got))
			return 2;
		bad += got != v + 1;
		v = got + 1;
	}
	close(ping[1]);
	printf("ping-pong: %d round trips, final %u, %u wrong\n", PINGS, v, bad);
	uint64_t results[WORKERS];
	for (int w = 0; w < WORKERS; w++) {
		uint64_t r[3];

		if (read(res[0], r, sizeof(r)) != sizeof(r) || r[0] >= WORKERS)
			return 3;
		results[r[0]] = r[1];
		cpus |= r[2];
	}
	for (int w = 0; w < WORKERS; w++)
		printf("worker %d: %016llx (expected %016llx)\n", w, (unsigned long long)results[w],
		       (unsigned long long)work(0x9e3779b97f4a7c15ull + w, &(uint64_t){ 0 }));
	for (int w = 0; w <= WORKERS; w++) {
		int st;

		waitpid(pid[w], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			printf("process %d: bad status %#x\n", w, st);
	}
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	printf("CPUs: %d; the workers ran on more than one: %s\n", CPU_COUNT(&set),
	       __builtin_popcountll(cpus) > 1 ? "yes" : "no");
	return 0;
}
