# Arrows one way (issue 17, item 6; STYLE.md §1): which folder may include
# which. Every #include in src/<module>/ and include/backcover/<module>/ is
# checked against the table below; an include against the arrow fails with
# the file, line, the include and what the module may use.
#
#   cmake -DROOT=<repository root> -P cmake/arrows.cmake
#
# Run by ctest as layering/arrows; layering/arrows-catch runs it on a small
# tree with one wrong include (tests/arrows/wrong/) and must fail.
#
# A module's own headers are always allowed. "Private" headers under src/
# ("io/yaml_reader.hpp", "engine/stages.hpp") count as their folder's module.
# Third-party libraries are tracked only where the arrow is about them
# (yaml-cpp stays in the loaders, sockets in the server, SQL in the store).

if(NOT ROOT)
  message(FATAL_ERROR "arrows.cmake: give -DROOT=<repository root>")
endif()

# module -> the modules and tracked libraries it may include
set(allow_core "")
set(allow_plan "core")
set(allow_engine "core;plan")
set(allow_codes "core;plan;engine")
set(allow_io "core;plan;yaml-cpp")
set(allow_policy "core;plan;engine;io;yaml-cpp")
set(allow_render "core;plan;engine")
set(allow_alternatives "core;plan;engine")
set(allow_docs "core;plan;engine;policy;cairo")
set(allow_store "core;sqlite;pqxx;sodium")
set(allow_interop/x12 "core;plan;store")
set(allow_interop/fhir "core;plan;engine;policy;interop/x12")
set(allow_interop/mrf "core;plan;store;sqlite")
set(allow_app "core;plan;engine;codes;io;policy;render;alternatives;docs;store;interop/x12;interop/fhir;yaml-cpp")
set(allow_server "core;plan;engine;codes;io;policy;render;alternatives;docs;store;app;yaml-cpp;httplib;sodium")
set(allow_cli "core;plan;engine;codes;io;policy;render;alternatives;docs;store;app;server;interop/x12;interop/fhir;interop/mrf;yaml-cpp")

set(modules core plan engine codes io policy render alternatives docs store interop/x12 interop/fhir interop/mrf app server cli)
set(tracked yaml-cpp sqlite pqxx sodium httplib cairo)

# The module an include names, or "" when it is the standard library or an
# untracked library. Sets `out`.
function(module_of inc out)
  set(m "")
  if(inc MATCHES "^backcover/interop/(x12|fhir|mrf)/")
    set(m "interop/${CMAKE_MATCH_1}")
  elseif(inc MATCHES "^interop/(x12|fhir|mrf)/")
    set(m "interop/${CMAKE_MATCH_1}")
  elseif(inc MATCHES "^backcover/([a-z_]+)/")
    set(m "${CMAKE_MATCH_1}")
  elseif(inc MATCHES "^yaml-cpp/")
    set(m "yaml-cpp")
  elseif(inc MATCHES "^(sqlite3\\.h|SQLiteCpp)")
    set(m "sqlite")
  elseif(inc MATCHES "^pqxx/")
    set(m "pqxx")
  elseif(inc MATCHES "^sodium")
    set(m "sodium")
  elseif(inc MATCHES "^httplib")
    set(m "httplib")
  elseif(inc MATCHES "^(cairo|pango)")
    set(m "cairo")
  elseif(inc MATCHES "^([a-z_]+)/[^/]+\\.hpp$")
    # a private header under src/ ("io/yaml_reader.hpp"), not a library's
    if(IS_DIRECTORY "${ROOT}/src/${CMAKE_MATCH_1}")
      set(m "${CMAKE_MATCH_1}")
    endif()
  endif()
  set(${out} "${m}" PARENT_SCOPE)
endfunction()

set(violations "")
set(checked 0)
foreach(mod ${modules})
  set(files "")
  foreach(base "${ROOT}/src/${mod}" "${ROOT}/include/backcover/${mod}")
    if(IS_DIRECTORY "${base}")
      file(GLOB_RECURSE found "${base}/*.cpp" "${base}/*.hpp")
      list(APPEND files ${found})
    endif()
  endforeach()
  if(mod STREQUAL "cli" AND EXISTS "${ROOT}/src/main.cpp")
    list(APPEND files "${ROOT}/src/main.cpp")
  endif()
  foreach(f ${files})
    file(RELATIVE_PATH rel "${ROOT}" "${f}")
    math(EXPR checked "${checked} + 1")
    file(STRINGS "${f}" lines)
    set(n 0)
    foreach(line IN LISTS lines)
      math(EXPR n "${n} + 1")
      if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]")
        continue()
      endif()
      set(inc "${CMAKE_MATCH_1}")
      module_of("${inc}" target)
      if(target STREQUAL "" OR target STREQUAL mod)
        continue()
      endif()
      list(FIND allow_${mod} "${target}" ok)
      if(ok EQUAL -1)
        string(REPLACE ";" ", " may "${allow_${mod}}")
        if(may STREQUAL "")
          set(may "nothing but itself and the standard library")
        endif()
        string(APPEND violations "  ${rel}:${n}: ${mod} includes ${target} (#include ${inc}); ${mod} may include: ${may}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(checked EQUAL 0)
  message(FATAL_ERROR "arrows: no source files under ${ROOT}/src: wrong ROOT?")
endif()
if(violations)
  message(FATAL_ERROR "arrows: includes against the dependency arrow (table: cmake/arrows.cmake)\n${violations}")
endif()
message(STATUS "arrows: ${checked} files, every include along the arrow")
