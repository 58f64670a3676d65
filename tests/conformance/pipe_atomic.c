/* PIPE_BUF atomicity: concurrent writers of <= PIPE_BUF bytes are never interleaved. */
#include "common.h"

#define WRITERS 4
#define ROUNDS 64

int main(void)
{
	int p[2];
	MUST(pipe(p));
	printf("PIPE_BUF=%d\n", PIPE_BUF);
	pid_t pids[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(p[0]);
			static char msg[PIPE_BUF];
			memset(msg, 'A' + i, sizeof msg);
			for (int r = 0; r < ROUNDS; r++) {
				if (write(p[1], msg, sizeof msg) != (ssize_t)sizeof msg)
					_exit(1);
			}
			_exit(0);
		}
	}
	close(p[1]);
	static char rec[PIPE_BUF];
	int counts[WRITERS] = { 0 };
	int bad = 0;
	size_t have = 0;
	ssize_t n;
	/* read at odd sizes; reassemble PIPE_BUF records */
	static char tmp[3000];
	while ((n = read(p[0], tmp, sizeof tmp)) > 0) {
		for (ssize_t k = 0; k < n; k++) {
			rec[have++] = tmp[k];
			if (have == PIPE_BUF) {
				for (int j = 1; j < PIPE_BUF; j++)
					bad |= rec[j] != rec[0];
				if (rec[0] >= 'A' && rec[0] < 'A' + WRITERS)
					counts[rec[0] - 'A']++;
				else
					bad = 1;
				have = 0;
			}
		}
	}
	for (int i = 0; i < WRITERS; i++)
		printf("writer %c: %d records, %s\n", 'A' + i, counts[i], wstatus(reap(pids[i])));
	printf("interleaved: %s, leftover bytes: %zu\n", bad ? "YES" : "no", have);
	return 0;
}
