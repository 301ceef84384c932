crmPolicy({"embed":"deny","check":"if (w.top !== w.self) { w.top.location.replace(w.location.href); }"});
