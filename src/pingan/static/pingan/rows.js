// "Add a row" for forms that take a list as one row per entry (issue 11): a button with
// data-add-row="<id>" copies the last row of that tbody (or list), emptied (values, per-field messages), and
// numbers it.
// Without script the form still has its fixed blank rows.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-add-row]");
  if (!button) return;
  const body = document.getElementById(button.dataset.addRow);
  const last = body && body.lastElementChild;
  if (!last) return;
  const row = last.cloneNode(true);
  const before = String(body.children.length), n = String(body.children.length + 1);
  row.querySelectorAll(".field-error").forEach((el) => el.remove());
  row.querySelectorAll("input, select, textarea").forEach((el) => {
    if (el.tagName === "SELECT") el.selectedIndex = 0; else el.value = "";
    el.removeAttribute("aria-invalid");
    const label = el.getAttribute("aria-label");
    if (label) el.setAttribute("aria-label", label.replace(before, n));
  });
  const head = row.querySelector("th[scope=row]");
  if (head) head.textContent = n;
  body.appendChild(row);
  const first = row.querySelector("input, select, textarea");
  if (first) first.focus();
});
