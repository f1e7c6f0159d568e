# Layer rule of DESIGN.md section 1. Each layer library exposes an include root that
# holds only its own folder (a symlink <build>/layers/<name>/<name> -> src/<name>), so a
# layer sees exactly the headers of the layers it links. A forbidden include such as
# protocol -> storage therefore fails to compile. tools/check-layers verifies the same
# rule on the sources.
function(larder_layer name)
  set(root ${CMAKE_BINARY_DIR}/layers/${name})
  file(MAKE_DIRECTORY ${root})
  if(NOT EXISTS ${root}/${name})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${name} ${root}/${name} SYMBOLIC)
  endif()
  add_library(larder_${name} STATIC ${ARGN})
  target_include_directories(larder_${name} PUBLIC ${root})
  larder_warnings(larder_${name})
endfunction()
