# Files: mkdir, touch, find, ls, cp, mv, rm, ln, test/[ ], chmod, stat.
mkdir -p tree/a/b tree/c
touch tree/a/one.txt tree/a/b/two.txt tree/c/three.log
echo data > tree/c/four.txt
ln -s ../c/four.txt tree/a/link
find tree | sort
find tree -name '*.txt' | sort
find tree -type d | sort
find tree -type l
find tree -maxdepth 1 | sort
ls tree
ls tree/a
cat tree/a/link
readlink tree/a/link
[ -L tree/a/link ] && echo "is a symlink"
[ -f tree/c/four.txt ] && echo "is a file"
[ -d tree/a/b ] && echo "is a dir"
[ -s tree/c/four.txt ] && echo "non-empty"
[ -s tree/a/one.txt ] || echo "empty"
[ -e tree/missing ] || echo "missing"
test -x tree/a/one.txt || echo "not executable"
chmod 755 tree/a/one.txt
test -x tree/a/one.txt && echo "now executable"
stat -c '%a %s %F' tree/a/one.txt tree/c/four.txt
stat -c '%a %F' tree/a/b
cp tree/c/four.txt copy.txt
mv copy.txt moved.txt
[ -e copy.txt ] || echo "copy.txt moved away"
cat moved.txt
cp -r tree tree2
find tree2 | sort | wc -l
rm -r tree2
[ -d tree2 ] || echo "tree2 removed"
rm tree/a/link
ls tree/a
mkdir tree/a 2>/dev/null || echo "mkdir existing fails"
rmdir tree/c 2>/dev/null || echo "rmdir non-empty fails"
find tree -name '*.txt' | xargs rm
find tree -type f | sort
ln tree/c/three.log hard.log
stat -c '%h' hard.log
[ tree/c/three.log -ef hard.log ] && echo "same file"
[ "abc" = "abc" ] && [ "abc" != "abd" ] && echo "string tests"
[ 3 -lt 10 ] && [ 10 -ge 10 ] && [ ! 1 -eq 2 ] && echo "number tests"
[ -z "" ] && [ -n "x" ] && echo "empty tests"
