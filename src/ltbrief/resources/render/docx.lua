--[[
DOCX: Word and LibreOffice do not all show SVG, so each SVG image is swapped for the PNG
the renderer rasterised beside it in a folder on the resource path (the image keeps its
relative name, so no temporary path reaches the document), at full text width.
]]

local function on_resource_path(relative)
  for _, folder in ipairs(PANDOC_STATE.resource_path) do
    local file = io.open(folder .. "/" .. relative, "rb")
    if file then
      file:close()
      return true
    end
  end
  return false
end

function Image(image)
  if not image.src:match("%.svg$") then
    return nil
  end
  local png = image.src:gsub("%.svg$", ".png")
  if on_resource_path(png) then
    image.src = png
    image.attributes.width = "100%"
  end
  return image
end
