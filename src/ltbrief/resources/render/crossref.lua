--[[
Cross-references for the embedded engine (Quarto numbers its own).

Tables with a `tbl-` id and figures with a `fig-` id are numbered in document order as
the published brief numbers them ("Table 1.1", "Table 1.2", ...); the label goes into the
caption once, so Typst's own figure numbering stays off. Each `@tbl-...`/`@fig-...`
citation becomes a link showing that label. A citation of anything else is left as the
literal text it was written as (the lint reports it before rendering).
]]

local SERIES = "1." -- the published brief numbers its tables 1.1, 1.2, ...
local KINDS = { tbl = "Table", fig = "Figure" }

local labels = {}

local function number(doc)
  local counts = { tbl = 0, fig = 0 }
  local function assign(element)
    local kind = element.identifier:match("^(%a+)%-")
    if KINDS[kind] and element.tag == (kind == "tbl" and "Table" or "Figure") then
      counts[kind] = counts[kind] + 1
      labels[element.identifier] = KINDS[kind] .. " " .. SERIES .. counts[kind]
    end
  end
  doc:walk({ Table = assign, Figure = assign })
  return nil
end

local function label_caption(element)
  local label = labels[element.identifier]
  if not label then
    return nil
  end
  local tag = pandoc.Span(label .. ":", pandoc.Attr("", { "caption-label" }))
  local prefix = { tag, pandoc.Space() }
  local long = element.caption.long
  if #long > 0 and (long[1].t == "Plain" or long[1].t == "Para") then
    long[1].content = pandoc.Inlines(prefix) .. long[1].content
  else
    long:insert(1, pandoc.Plain(prefix))
  end
  element.caption.long = long
  return element
end

local function link(cite)
  local links = pandoc.Inlines({})
  for index, citation in ipairs(cite.citations) do
    local label = labels[citation.id]
    if not label then
      return cite.content
    end
    if index > 1 then
      links:extend({ pandoc.Str(index == #cite.citations and " and" or ","), pandoc.Space() })
    end
    links:insert(pandoc.Link(label, "#" .. citation.id))
  end
  return links
end

return {
  { Pandoc = number },
  { Table = label_caption, Figure = label_caption, Cite = link },
}
