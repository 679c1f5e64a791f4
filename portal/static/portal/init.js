// Starts GOV.UK Frontend's components, then GOV.UK's accessible autocomplete where a page asks
// for it. A separate file rather than an inline module script, so the Content-Security-Policy
// needs no nonce for it (GOV.UK Frontend's documented setup). Without JavaScript, or if the
// autocomplete script is missing, every box stays the plain input or select it was.
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()

// A form that posts to a #fragment (event registration posts to #register): the browser
// scrolls to the fragment after this script has run, and that takes focus away from the error
// summary GOV.UK Frontend has just focused. Give it back once the page has loaded, so a screen
// reader still announces the problems.
const errorSummary = document.querySelector('[data-module="govuk-error-summary"]')
if (errorSummary && window.location.hash) {
  window.addEventListener('load', () => {
    window.requestAnimationFrame(() => {
      if (!document.activeElement || document.activeElement === document.body) {
        errorSummary.setAttribute('tabindex', '-1')
        errorSummary.focus()
      }
    })
  })
}

const autocomplete = window.accessibleAutocomplete

// The autocomplete writes a suggestion's template into the page as HTML.
function escapeHtml (text) {
  const span = document.createElement('span')
  span.textContent = text
  return span.innerHTML
}

// The search box: as-you-type suggestions from /search/suggest/ (glossary terms and titles of
// practice the reader may see: the endpoint filters them). Choosing one fills the box; the
// search itself still happens when the form is sent, so typed words are never replaced.
function enhanceSearchBox (container) {
  const input = container.querySelector('input')
  const url = container.dataset.suggestUrl
  let latest = 0
  const suggestions = (query, populateResults) => {
    const asked = ++latest
    fetch(`${url}?q=${encodeURIComponent(query)}`, { headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : { terms: [], practice: [] }))
      .then((found) => {
        if (asked !== latest) return
        populateResults([
          ...found.terms.map((t) => ({ value: t.term, label: `${t.term}: ${t.meaning}` })),
          ...found.practice.map((p) => ({ value: p.title, label: p.title }))
        ])
      })
      .catch(() => populateResults([]))
  }
  const hint = input.getAttribute('aria-describedby')
  const wrapper = document.createElement('div')
  container.replaceChild(wrapper, input)
  autocomplete({
    element: wrapper,
    id: input.id,
    name: input.name,
    defaultValue: input.value,
    minLength: 2,
    confirmOnBlur: false,
    showNoOptionsFound: false,
    displayMenu: 'overlay',
    source: suggestions,
    templates: {
      inputValue: (item) => (item ? (typeof item === 'string' ? item : item.value) : ''),
      suggestion: (item) => escapeHtml(typeof item === 'string' ? item : item.label)
    }
  })
  const enhanced = wrapper.querySelector('input')
  enhanced.type = 'search'
  if (hint) {
    const described = enhanced.getAttribute('aria-describedby')
    enhanced.setAttribute('aria-describedby', described ? `${hint} ${described}` : hint)
  }
}

// A long <select> (registration's organisation): type to narrow it down; the select still
// sends the value, so the form works the same.
function enhanceSelect (select) {
  autocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: '',
    showAllValues: true,
    dropdownArrow: () => '',
    confirmOnBlur: true
  })
}

if (autocomplete) {
  document.querySelectorAll('[data-module="portal-search-suggestions"]').forEach(enhanceSearchBox)
  document.querySelectorAll('select[data-module="portal-select-autocomplete"]').forEach(enhanceSelect)
}
