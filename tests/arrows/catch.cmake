# layering/arrows-catch: cmake/arrows.cmake run on tests/arrows/wrong/ must
# fail and name each wrong include (so the check can fail, and for the right reason).
#   cmake -DSOURCE=<repository root> -P tests/arrows/catch.cmake
execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${SOURCE}/tests/arrows/wrong -P ${SOURCE}/cmake/arrows.cmake
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "arrows-catch: the check passed a tree with wrong includes:\n${out}${err}")
endif()
foreach(want "src/engine/wrong.cpp:3: engine includes io"
             "src/io/wrong.cpp:3: io includes engine"
             "src/docs/wrong.cpp:3: docs includes yaml-cpp")
  string(FIND "${err}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "arrows-catch: the check failed but did not report \"${want}\":\n${err}")
  endif()
endforeach()
message(STATUS "arrows-catch: the three wrong includes refused")
