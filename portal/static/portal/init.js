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
  if (hint) keepDescribedBy(enhanced, hint.split(' ').filter(Boolean))
}

// Part of a form shown only while a select has one value (the registration form's organisation
// name, while "Other (not listed)" is chosen): GOV.UK's conditional reveal, for a select.
// Without JavaScript it always shows, and its hint says when to fill it in. It stays shown
// while it holds an error, so the message is never hidden.
function revealForChoice (container) {
  const select = document.getElementById(container.dataset.select)
  if (!select) return
  const update = () => {
    const hasError = container.querySelector('.govuk-form-group--error')
    container.hidden = select.value !== container.dataset.choice && !hasError
  }
  select.addEventListener('change', update)
  update()
}

// The autocomplete sets the input's aria-describedby to its own usage hint while it shows it,
// and removes the attribute afterwards: keep the field's hint and error message in it too.
function keepDescribedBy (input, ids) {
  const keep = () => {
    const current = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
    const missing = ids.filter((id) => !current.includes(id))
    if (missing.length) {
      const others = current.filter((id) => !ids.includes(id))
      input.setAttribute('aria-describedby', [...ids, ...others].join(' '))
    }
  }
  const observer = new window.MutationObserver(keep)
  observer.observe(input, { attributes: true, attributeFilter: ['aria-describedby'] })
  keep()
}

// A long <select> (registration's organisation): type to narrow it down; the select, hidden,
// still sends the value, so the server sees the same form either way. The select's
// data-other-choice (if any) is offered whatever is typed, so a name that is not listed leads
// to it, and the typed name is carried into the field it reveals.
function enhanceSelect (select) {
  const options = [...select.options].filter((option) => option.value)
  const textOf = (option) => option.textContent.trim()
  const other = options.find((option) => option.value === select.dataset.otherChoice)
  const described = (select.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
  const id = select.id
  const hasError = select.classList.contains('govuk-select--error')
  let typed = ''
  const source = (query, populateResults) => {
    typed = query.trim()
    const wanted = typed.toLowerCase()
    const found = options.filter(
      (option) => option !== other && textOf(option).toLowerCase().includes(wanted)
    )
    populateResults([...found, ...(other ? [other] : [])].map(textOf))
  }
  const onConfirm = (chosen) => {
    const input = document.getElementById(id)
    const text = (chosen === undefined ? input.value : chosen).trim().toLowerCase()
    const match = options.find((option) => textOf(option).toLowerCase() === text)
    select.value = match ? match.value : ''
    const unlisted = other && typed && !textOf(other).toLowerCase().includes(typed.toLowerCase())
    if (match === other && unlisted) {
      const name = document.querySelector(`[data-select="${id}"] input`)
      if (name && !name.value) name.value = typed
    }
    select.dispatchEvent(new window.Event('change'))
  }
  autocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: '',
    source,
    onConfirm,
    showAllValues: true,
    dropdownArrow: () => '',
    confirmOnBlur: true,
    inputClasses: hasError ? 'govuk-input--error' : null
  })
  keepDescribedBy(document.getElementById(id), described)
}

document.querySelectorAll('[data-module="portal-reveal-for-choice"]').forEach(revealForChoice)
if (autocomplete) {
  document.querySelectorAll('[data-module="portal-search-suggestions"]').forEach(enhanceSearchBox)
  document.querySelectorAll('select[data-module="portal-select-autocomplete"]').forEach(enhanceSelect)
}
