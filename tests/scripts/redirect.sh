# Redirections: >, >>, <, 2>&1, 2>/dev/null, here-documents, fd juggling with exec.
echo first > out.txt
echo second >> out.txt
echo third >>out.txt
cat < out.txt
wc -l < out.txt
ls missing-file 2>/dev/null; echo "ls status $?"
ls missing-file > both.txt 2>&1; echo "status $?"
grep -c missing both.txt
{ echo to-stdout; echo to-stderr >&2; } 2>err.txt >std.txt
echo "std: $(cat std.txt) err: $(cat err.txt)"
{ echo a; echo b >&2; } 2>&1 | sort
# here-documents: expanding and literal
name=world
cat <<EOT
hello $name
sum $((2 + 3))
EOT
cat <<'EOT'
literal $name $((1+1))
EOT
cat <<-EOT
	tabs stripped
	EOT
# exec: open, write, close fds
exec 3>fd3.txt
echo via-fd3 >&3
echo more >&3
exec 3>&-
cat fd3.txt
exec 4<fd3.txt
read -r line <&4
echo "read from fd4: $line"
exec 4<&-
# noclobber
set -C
echo x > out.txt 2>/dev/null || echo "noclobber refused"
echo y >| out.txt && cat out.txt
set +C
# redirect a whole loop
for i in 1 2 3; do echo "line $i"; done > loop.txt
wc -l < loop.txt
# reading a file with while-read
while IFS=: read -r a b; do echo "a=$a b=$b"; done <<EOT
k1:v1
k2:v2 with spaces
EOT
: > empty.txt
test -s empty.txt || echo "empty.txt is empty"
