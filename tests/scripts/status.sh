# Exit statuses: $?, set -e, command not found, exit codes of the script itself.
true; echo "true: $?"
false; echo "false: $?"
sh -c 'exit 42'; echo "sh -c exit 42: $?"
sh -c 'exit 256'; echo "sh -c exit 256: $?"
sh -c 'kill -9 $$'; echo "killed by KILL: $?"
sh -c 'kill -TERM $$'; echo "killed by TERM: $?"
no-such-command-here 2>/dev/null; echo "not found: $?"
./not-executable 2>/dev/null; echo "missing path: $?"
echo 'echo hi' > script-noexec
./script-noexec 2>/dev/null; echo "not executable: $?"
chmod +x script-noexec
./script-noexec; echo "no shebang, executable: $?"
printf '#!/bin/sh\necho "from shebang script: $1"\nexit 6\n' > withbang
chmod 755 withbang
./withbang arg1; echo "shebang script: $?"
( set -e; false; echo "not reached" ); echo "set -e subshell: $?"
( set -e; false || true; echo "|| protects from set -e" )
( set -e; if false; then :; fi; echo "if protects from set -e" )
expr 1 + 2; echo "expr status: $?"
expr 0 + 0; echo "expr zero status: $?"
test 1 -eq 1; echo "test: $?"
[ 1 -eq 2 ]; echo "[ ]: $?"
exit 13
