# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# scdoc 1.11 writes paragraph breaks (.P) that mandoc -Tlint calls empty:
# one before each .RE, and around headings. The one before .RE spaces the
# entries of a list apart, so it moves after the .RE; the others go. groff
# renders the page the same either way.
{ l[NR] = $0 }
END {
	for (i = 1; i < NR; i++)
		if (l[i] == ".P" && l[i + 1] == ".RE") { l[i] = ".RE"; l[i + 1] = ".P" }
	for (i = 1; i <= NR; i++) {
		if (l[i] == ".P" && (i == NR || l[i + 1] ~ /^\.(SH|SS|P|RE)( |$)/ ||
		    prev ~ /^\.(SH|SS|TH|P)( |$)/))
			continue
		print l[i]
		prev = l[i]
	}
}
