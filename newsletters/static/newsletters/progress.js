// The send page's progress table, refreshed in place every 5 seconds while an issue sends:
// the page itself stays put (no reload under the reader's keyboard or screen reader). Stops
// when the server's page no longer says it is sending.
const every = 5000

function refresh () {
  fetch(window.location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
    .then((response) => (response.ok ? response.text() : null))
    .then((html) => {
      if (!html) return
      const fresh = new DOMParser().parseFromString(html, 'text/html')
      const table = fresh.getElementById('progress')
      const current = document.getElementById('progress')
      if (table && current) current.replaceWith(table)
      if (fresh.getElementById('progress-note')) {
        window.setTimeout(refresh, every)
      } else {
        document.getElementById('progress-note')?.remove()
      }
    })
    .catch(() => window.setTimeout(refresh, every))
}

window.setTimeout(refresh, every)
