# Subshells, command substitution, grouping and their effects on variables and cwd.
x=outer
(x=inner; echo "in subshell: $x")
echo "after subshell: $x"
{ x=group; }
echo "after group: $x"
mkdir -p d/e
(cd d/e && echo "subshell cwd ends with: ${PWD##*/}")
[ -d e ] || echo "cwd unchanged"
(exit 7); echo "subshell exit: $?"
v=$(echo one; echo two)
echo "captured: $v"
echo "nested: $(echo "a $(echo "b $(echo c)")")"
echo "backticks: `echo old style`"
n=$(printf 'x\n\n\n')
echo "trailing newlines stripped: [$n]"
count=$(ls d | wc -l)
echo "count=$count"
# status of command substitution in assignment
y=$(false); echo "assignment status: $?"
# subshell inherits but does not export back
export EXP=1
(EXP=2; sh -c 'echo "child sees EXP=$EXP"')
echo "EXP=$EXP"
# functions in subshells
f() { echo "f called with $#: $*"; return 3; }
(f a b c); echo "status $?"
out=$(f x); echo "out=[$out] status $?"
# $$ is the same in a subshell (never printed)
[ "$(echo $$)" = "$$" ] && echo "\$\$ same in subshell"
(sh -c 'exit 4'); echo "nested shell exit: $?"
