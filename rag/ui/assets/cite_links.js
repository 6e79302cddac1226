() => {
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a.cite") : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const m = (link.getAttribute("href") || "").match(/#src-(\d+)-(\d+)/);
    if (!m) return;
    const card = document.getElementById(`src-${m[1]}-${m[2]}`);
    if (!card) return;
    const panel = card.closest(".src-panel");
    panel.querySelectorAll(".src-group").forEach((g) => g.classList.toggle("current", g.dataset.turn === m[1]));
    panel.querySelectorAll(".src-card.active").forEach((c) => c.classList.remove("active"));
    card.classList.add("active");
    card.scrollIntoView({behavior: "smooth", block: "nearest"});
  }, true);
}
