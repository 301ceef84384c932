// Package benchpage generates the content the benchmarks serve: a legacy
// CRM page, an application bundle and an image, deterministic for a seed
// so runs are comparable. The end-to-end bench (bench/crmbench) and the
// rewriter's micro-benchmarks measure the same bytes.
package benchpage

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var (
	firstNames = []string{"Anna", "Bernd", "Chloé", "Dmitri", "Eva", "François", "Grete", "Hiroshi", "Inès", "Jürgen", "Karim", "Lucía"}
	lastNames  = []string{"Müller", "Dupont", "García", "Rossi", "Nowak", "Smith", "Yamada", "Haddad", "Silva", "Jensen", "O'Brien"}
	cities     = []string{"Berlin", "Lyon", "Sevilla", "Torino", "Kraków", "Leeds", "Osaka", "Porto", "Aarhus"}
	statuses   = []string{"Open", "Pending", "Escalated", "Closed", "Waiting for customer"}
)

// CRMPage is a legacy-CRM-like page of about size bytes: quirks doctype,
// frame-busting and document.write inline scripts, inline handlers, a
// search form and a long table of customer records.
func CRMPage(seed uint64, size int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var b strings.Builder
	b.Grow(size + 4096)
	b.WriteString(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML>
<HEAD>
<META http-equiv="Content-Type" content="text/html; charset=utf-8">
<META http-equiv="X-UA-Compatible" content="IE=EmulateIE8">
<TITLE>Customer Service Workbench - Account Overview</TITLE>
<LINK rel="stylesheet" type="text/css" href="/static/crm.css?v=4.2.17">
<SCRIPT type="text/javascript">
<!--
if (top != self) { top.location.href = self.location.href; }
var CRM_SESSION = "JSESSIONID=8F3A2C9D1B7E4F60A5D3C2B1E0F9A8B7";
function openRecord(id) { window.open('/crm/record.do?id=' + id, 'rec' + id, 'width=800,height=600'); return false; }
function sortBy(col) { document.forms['search'].sort.value = col; document.forms['search'].submit(); }
//-->
</SCRIPT>
<STYLE type="text/css">
body { font-family: Tahoma, Verdana, sans-serif; font-size: 11px; }
table.grid td { border-bottom: 1px solid #ccc; padding: 2px 4px; }
.hidden { display: none }
</STYLE>
<!--[if lt IE 9]><script src="/static/html5shiv.js"></script><![endif]-->
</HEAD>
<BODY onload="init(); document.forms['search'].q.focus();" bgcolor="#FFFFFF">
<script>document.write('<div id="clock">' + new Date().toLocaleString() + '</div>');</script>
<FORM name="search" method="POST" action="/crm/search.do" onsubmit="return validate(this)">
<INPUT type="hidden" name="sort" value="name"><INPUT type="hidden" name="csrf" value="d41d8cd98f00b204e9800998ecf8427e">
<TABLE width="100%" cellspacing="0" cellpadding="2" border="0"><TR><TD>Search:</TD>
<TD><INPUT type="text" name="q" size="40" maxlength="80" onkeypress="if(event.keyCode==13){this.form.submit();}"></TD>
<TD><SELECT name="scope"><OPTION value="all" selected>All accounts<OPTION value="mine">My accounts<OPTION value="team">Team</SELECT></TD>
<TD><INPUT type="submit" value="Go" class="btn" onmouseover="this.className='btn hover'" onmouseout="this.className='btn'"></TD></TR></TABLE>
</FORM>
`)
	row := 0
	for b.Len() < size-600 {
		if row%50 == 0 {
			if row > 0 {
				b.WriteString("</table>\n")
			}
			fmt.Fprintf(&b, "<table class=\"grid\" id=\"grid%d\" width=\"100%%\">\n<tr bgcolor=\"#E0E8F0\"><th onclick=\"sortBy('id')\">ID</th><th onclick=\"sortBy('name')\">Name</th><th>City</th><th>Phone</th><th>Status</th><th>Balance</th><th></th></tr>\n", row/50)
			if row%200 == 100 {
				fmt.Fprintf(&b, "<script type=\"text/javascript\">var grid%d = { rows: %d, page: %d, sel: null }; if (window.parent.frames.length > 0 && parent.document.domain != document.domain) { document.body.style.display = 'none'; }</script>\n", row/50, 50, row/50)
			}
		}
		id := 100000 + r.IntN(900000)
		fn, ln := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		fmt.Fprintf(&b, "<tr class=\"%s\" onclick=\"openRecord(%d)\" onmouseover=\"this.style.background='#FFFFCC'\" onmouseout=\"this.style.background=''\"><td><a href=\"/crm/record.do?id=%d&amp;tab=overview\" target=\"_top\">%d</a></td><td>%s %s</td><td>%s</td><td>+49 30 %07d</td><td><font color=\"%s\">%s</font></td><td align=\"right\">%d.%02d &euro;</td><td><input type=\"checkbox\" name=\"sel\" value=\"%d\"></td></tr>\n",
			[]string{"odd", "even"}[row%2], id, id, id, fn, ln, cities[r.IntN(len(cities))], r.IntN(10000000),
			[]string{"green", "orange", "red"}[r.IntN(3)], statuses[r.IntN(len(statuses))], r.IntN(20000), r.IntN(100), id)
		row++
	}
	b.WriteString("</table>\n<div class=\"footer\">&copy; 2009 Legacy CRM Corp. <a href=\"javascript:void(0)\" onclick=\"top.location='/logout.do'\">Log out</a></div>\n<script>function init(){ if (self !== top) { top.location = location; } }</script>\n</BODY>\n</HTML>\n")
	return []byte(b.String())
}

// JSBundle is a minified-looking application bundle of about size bytes
// with strings, regexps, template literals, comments and the usual
// frame-busting checks.
func JSBundle(seed uint64, size int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var b strings.Builder
	b.Grow(size + 2048)
	b.WriteString("/*! crm-app v4.2.17 | (c) Legacy CRM Corp */\n(function(w,d){\"use strict\";var M={};\n")
	i := 0
	for b.Len() < size-200 {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "M.f%d=function(a,b){var c=a||{};if(!/^[A-Z]{2}\\d{6,9}$/.test(c.id)){return null}return c.v%d+b*%d;};\n", i, i, r.IntN(1000))
		case 1:
			fmt.Fprintf(&b, "M.t%d=function(o){return `<tr data-id=\"${o.id}\"><td>${o.name}</td><td>%s</td></tr>`;};\n", i, statuses[r.IntN(len(statuses))])
		case 2:
			fmt.Fprintf(&b, "// module %d: keep the workbench on top\nif(w.top!==w.self&&%d>0){try{w.top.location.href=w.location.href}catch(e){d.body.innerHTML=\"\"}}\n", i, r.IntN(50))
		case 3:
			fmt.Fprintf(&b, "M.s%d={label:\"%s %s\",city:'%s',n:%d,re:/\\/crm\\/record\\.do\\?id=(\\d+)/g,f:%d.%d};\n", i, firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))], cities[r.IntN(len(cities))], r.IntN(1e6), r.IntN(100), r.IntN(100))
		case 4:
			fmt.Fprintf(&b, "M.h%d=function(e){var x=e.target,y=x.getAttribute(\"data-k\")||\"\";for(var i=0;i<y.length;i++){if(y.charCodeAt(i)>%d){x.className+=\" hl\"}}d.getElementById(\"grid%d\")&&w.open(\"/crm/popup.do?k=\"+encodeURIComponent(y),\"_blank\");};\n", i, r.IntN(128), r.IntN(20))
		}
		i++
	}
	b.WriteString("w.CRM=M;})(window,document);\n")
	return []byte(b.String())
}

// PNGLike is random bytes behind a PNG signature: incompressible, and
// nothing a rewriter may touch.
func PNGLike(seed uint64, size int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, size)
	for i := 0; i+8 <= size; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}
