--[[
Respondents' quotes, for both engines (report.qmd lists this filter in _quarto.yml too).

A div `.respondent-quote` holds one respondent's block quote; a div `.respondent-quotes`
holds several such divs that share one attribution. Each becomes a block quote with a
visible attribution: a <figure> with a <figcaption> in HTML, Typst's quote element (tagged
BlockQuote in the PDF) in Typst, and a block quote followed by an attribution paragraph
elsewhere. In Typst a group is one block labelled <respondent-quotes> holding a quote element
per respondent (one BlockQuote each) and then the shared attribution, labelled
<quote-attribution>; our template draws the group as one panel, and without it (Quarto's
template) the quotes and the attribution still print in order.
]]

local SINGLE = "Survey respondent"
local GROUP = "Survey respondents"

local function is_quote(block)
  return block.t == "Div" and block.classes:includes("respondent-quote")
end

-- The quotes a div stands for: itself, or the quote divs inside a group.
local function members(div)
  if is_quote(div) then
    return pandoc.List({ div })
  end
  return div.content:filter(is_quote)
end

-- The paragraphs a respondent said, without the block quote around them.
local function said(quote)
  local blocks = pandoc.List()
  for _, block in ipairs(quote.content) do
    if block.t == "BlockQuote" then
      blocks:extend(block.content)
    else
      blocks:insert(block)
    end
  end
  return blocks
end

local function html(quotes, attribution)
  local content = quotes:map(function(quote) return pandoc.BlockQuote(said(quote)) end)
  local ids = quotes:map(function(quote) return quote.attributes.response or "" end)
  local attr = pandoc.Attr("", { "respondent-quote" }, { responses = table.concat(ids, " ") })
  return pandoc.Figure(content, { pandoc.Plain(attribution) }, attr)
end

-- One Typst quote element around what a respondent said.
local function typst_quote(quote, arguments)
  local blocks = pandoc.List({ pandoc.RawBlock("typst", "#quote(" .. arguments .. ")[") })
  blocks:extend(said(quote))
  blocks:insert(pandoc.RawBlock("typst", "]"))
  return blocks
end

local function typst(quotes, attribution)
  if #quotes == 1 then
    return typst_quote(quotes[1], "block: true, attribution: [" .. attribution .. "]")
  end
  local blocks = pandoc.List({ pandoc.RawBlock("typst", "#block[") })
  for _, quote in ipairs(quotes) do
    blocks:extend(typst_quote(quote, "block: true"))
  end
  blocks:insert(pandoc.RawBlock("typst", "#block[— " .. attribution .. "] <quote-attribution>"))
  blocks:insert(pandoc.RawBlock("typst", "] <respondent-quotes>"))
  return blocks
end

local function plain(quotes, attribution)
  local blocks = quotes:map(function(quote) return pandoc.BlockQuote(said(quote)) end)
  local line = pandoc.Para({ pandoc.Str("—"), pandoc.Space(), pandoc.Emph(attribution) })
  blocks:insert(pandoc.Div(line, pandoc.Attr("", {}, { ["custom-style"] = "Quote Attribution" })))
  return blocks
end

local function respondent_quotes(div)
  local is_group = div.classes:includes("respondent-quotes")
  if not (is_group or is_quote(div)) then
    return nil
  end
  local quotes = members(div)
  local attribution = (is_group and #quotes > 1) and GROUP or SINGLE
  if FORMAT:match("html") then
    return html(quotes, attribution), false
  elseif FORMAT:match("typst") then
    return typst(quotes, attribution), false
  end
  return plain(quotes, attribution), false
end

return { { traverse = "topdown", Div = respondent_quotes } }
