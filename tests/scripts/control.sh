# Control flow: functions, local variables, recursion, loops, case, arithmetic, read, params.
fact() {
	if [ "$1" -le 1 ]; then echo 1; return; fi
	local sub
	sub=$(fact $(($1 - 1)))
	echo $(($1 * sub))
}
echo "5! = $(fact 5)"
echo "10! = $(fact 10)"
counter() {
	local i=0
	while [ $i -lt 3 ]; do i=$((i + 1)); done
	echo "local i=$i"
}
i=outside
counter
echo "global i=$i"
for w in alpha beta gamma; do printf '%s ' "$w"; done; echo
for n in $(seq 1 5); do
	case $n in
	1) echo "one" ;;
	2|3) echo "two or three: $n" ;;
	*) echo "other: $n" ;;
	esac
done
n=0
until [ $n -ge 4 ]; do n=$((n + 1)); [ $n -eq 2 ] && continue; echo "until $n"; done
for i in 1 2 3 4 5; do [ $i -eq 4 ] && break; echo "for $i"; done
echo "arith: $((7 / 2)) $((7 % 3)) $((2 ** 10)) $(( (3 + 4) * 2 )) $((-5 + 3))"
x=5; x=$((x << 2)); echo "shift: $x"
s="path/to/file.tar.gz"
echo "${#s} ${s%.*} ${s%%.*} ${s#*/} ${s##*/}"
echo "${unset:-default} ${unset:=assigned} $unset"
set -- one "two words" three
echo "count $#"
for a in "$@"; do echo "arg [$a]"; done
shift
echo "after shift: $1"
IFS=, read -r f1 f2 f3 <<EOT
a,b c,d
EOT
echo "f1=$f1 f2=$f2 f3=$f3"
printf 'l1\nl2\nl3\n' > lines
count=0
while read -r l; do count=$((count + 1)); done < lines
echo "read $count lines"
check() { return $1; }
check 0 && echo "and-list ok"
check 1 || echo "or-list ok"
check 4; echo "return value $?"
if check 0; then echo "if true"; elif check 1; then echo "elif"; else echo "else"; fi
val=$( { echo inner; } ); echo "$val"
eval 'dyn=evaluated'; echo "$dyn"
echo "$(( $(echo 6) * $(echo 7) ))"
