# tunepoolPackage.cmake - `cpack -G DEB` in the build folder: one Debian package with the tool, the
# libraries (shared and static), headers, pkg-config file, CMake package, man page, completions, schemas
# and examples. Dependencies come from the libraries it links (dpkg-shlibdeps); gnuplot is recommended.
set(CPACK_PACKAGE_NAME tune-pool)
set(CPACK_PACKAGE_VENDOR "tune-pool developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "measure thread-pool sizes and recommend one")
set(CPACK_PACKAGE_DESCRIPTION "tune-pool detects the cores (hwloc and cgroup CPU quota), runs a workload
through pools of m x cores threads for a range of m, and recommends the smallest pool indistinguishable
from the best, with bootstrap intervals, the Little's-law model and the rules of thumb beside it. It tunes
its own synthetic tasks, HTTP and PostgreSQL connection pools, plugins and the user's own programs, and
writes the number for CMake, Make, C headers, the environment and Ansible.")
set(CPACK_PACKAGE_CONTACT "tune-pool developers <tune-pool@localhost>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "tune-pool developers <tune-pool@localhost>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# The static library, the pkg-config file and the CMake package name these for their users.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libhwloc-dev, libjansson-dev, libpq-dev, libcurl4-openssl-dev")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnuplot-nox")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "ansible-core, bash-completion")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The build's RPATH-free install: the shared library lands in /usr/lib/<multiarch>.
set(CPACK_STRIP_FILES OFF)
include(CPack)
