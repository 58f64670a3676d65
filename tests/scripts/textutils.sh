# Text tools: sed, sort, cut, wc, tr, uniq, head, tail, grep, awk, xargs.
cat > data.txt <<'EOT'
3:carol:engineering:85000
1:alice:sales:52000
4:dave:engineering:91000
2:bob:sales:48000
5:erin:support:39000
EOT
sort -t: -k1,1n data.txt | cut -d: -f2
sort -t: -k4,4nr data.txt | head -n 2 | cut -d: -f2,4
cut -d: -f3 data.txt | sort | uniq -c
cut -c1-3 data.txt | tr '\n' ' '; echo
wc -l < data.txt
wc -w < data.txt
wc -c < data.txt
sed -n '2,3p' data.txt
sed -e 's/:/ /g' -e 's/engineering/eng/' data.txt | sort
sed '/sales/d' data.txt | wc -l
sed 's/\([a-z]*\):\([a-z]*\)/\2:\1/' data.txt | head -n 1
grep -c engineering data.txt
grep -v sales data.txt | wc -l
grep -E '^[12]:' data.txt
awk -F: '{ sum[$3] += $4 } END { for (k in sum) print k, sum[k] }' data.txt | sort
awk -F: '$4 > 50000 { print $2 }' data.txt | sort -r
tail -n 2 data.txt
head -c 10 data.txt; echo
echo "a b c d e f g" | xargs -n 3 echo
printf 'x\ny\nz\n' | xargs -I{} echo "item {}"
printf '%s\n' 3 1 2 | xargs echo sorted: | tr -d '\n'; echo
sort -u <<'EOT'
b
a
b
c
a
EOT
echo "Hello World" | tr 'a-z' 'A-Z' | tr -d 'O'
echo "  spaced   out  " | tr -s ' '
printf '%05d|%-5s|%x\n' 42 ab 255
seq 10 -3 1 | paste -s -d,
